// Child process of checkpoint-crash.test.ts (runs the built package): trains a tiny model for `steps`
// steps, then saves it to `path`, killing itself with SIGKILL just before file operation `crashAt` of the
// save (-1: no crash). Prints each operation it was about to do as a JSON line.
// Usage: node crash-save-child.mjs PATH STEPS CRASH_AT [weights-only]
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, ReLU, Sequential } from "@resnet-ts/layers";
import { Rng } from "@resnet-ts/tensor";
import { resolveConfig, Trainer } from "../dist/index.js";
import { saveCheckpoint } from "../dist/node.js";

const [path, stepsArg, crashArg, mode] = process.argv.slice(2);
const steps = Number(stepsArg);
const crashAt = Number(crashArg);

const rng = new Rng(1);
const model = new Sequential(
  new Conv2d(1, 4, 3, { padding: 1, rng }),
  new BatchNorm2d(4),
  new ReLU(),
  new AdaptiveAvgPool2d(1),
  new Flatten(),
  new Linear(4, 3, { rng }),
);
const data = (count, seed) => {
  const r = new Rng(seed);
  const images = new Uint8Array(count * 36);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = r.int(3);
    for (let p = 0; p < 36; p++) images[i * 36 + p] = Math.min(255, labels[i] * 80 + r.int(100));
  }
  return { images, labels, count, channels: 1, rows: 6, cols: 6 };
};
const config = resolveConfig({ batchSize: 8, momentum: 0.9, steps, eval: false, epochs: 5 });
const trainer = new Trainer(
  model,
  { train: data(40, 11), test: data(8, 12), source: "tiny", channels: 1, classNames: ["a", "b", "c"] },
  config,
  {
    yieldEvery: 0,
  },
);
await trainer.run();
const saved = await saveCheckpoint(
  path,
  model,
  mode === "weights-only" ? { config } : { config, optimizer: trainer.optimizer, progress: trainer.progress },
  {
    beforeFileOperation: (index, description) => {
      process.stdout.write(`${JSON.stringify({ index, description })}\n`);
      if (index === crashAt) process.kill(process.pid, "SIGKILL");
    },
  },
);
process.stdout.write(`${JSON.stringify({ saved: saved.id, removed: saved.removed })}\n`);
