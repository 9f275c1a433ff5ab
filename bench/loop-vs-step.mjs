// The training loop's cost beyond the training step: in one process, interleaved rounds of (a) the Trainer on
// Fashion-MNIST (batches built from the data set, loss and predictions read back, events, yields) and (b)
// `benchStep`, the step `resnet-ts bench` times (one fixed synthetic batch), same model, size, batch, optimizer
// settings and loss. Each round times `--steps` steps of each after one untimed step; prints per-round means and
// medians and the ratio.
//   node bench/loop-vs-step.mjs [--batch=256] [--steps=40] [--rounds=3] [--width=1] [--threads=2]
//     [--preset=NAME] [--workers=0]                               (after `pnpm build`)
import { availableParallelism } from "node:os";
import { registerWasmBackend } from "@resnet-ts/backend-wasm";
import { loadData, WorkerLoader } from "@resnet-ts/data/node";
import { setBackend } from "@resnet-ts/tensor";
import { benchStep, createModel, median, resolveConfig, timeSteps, Trainer } from "@resnet-ts/trainer";

const opt = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const preset = opt("preset", undefined);
const steps = Number(opt("steps", "40"));
const rounds = Number(opt("rounds", "3"));
const workers = Number(opt("workers", "0"));
const config = resolveConfig({
  ...(preset ? { preset } : {}),
  ...(opt("batch", undefined) ? { batchSize: Number(opt("batch")) } : {}),
  ...(opt("width", undefined) ? { width: Number(opt("width")) } : {}),
  eval: false,
});

registerWasmBackend({ threads: Number(opt("threads", String(Math.min(2, availableParallelism())))) });
await setBackend("wasm");
const data = await loadData("fashion-mnist");
const side = config.resize ?? data.train.rows;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x) => `${x.toFixed(1)} ms`;

const loopModel = createModel(config, { inChannels: data.train.channels, numClasses: 10 });
const stepModel = createModel(config, { inChannels: data.train.channels, numClasses: 10 });
// The config's optimizer settings and label smoothing, so that only the loop differs (the default config's step
// is exactly the one `resnet-ts bench` times: plain SGD).
const bench = benchStep(stepModel, {
  batchSize: config.batchSize,
  channels: data.train.channels,
  side,
  lr: config.lr,
  sgd: {
    momentum: config.momentum,
    dampening: config.dampening,
    weightDecay: config.weightDecay,
    nesterov: config.nesterov,
  },
  labelSmoothing: config.labelSmoothing,
});
const loader = workers > 0 ? new WorkerLoader(workers) : undefined;

/** Wall time of each loop step after the first: between consecutive batchEnd events. */
async function loopRound(round) {
  const trainer = new Trainer(
    loopModel,
    data,
    { ...config, seed: round, steps: steps + 1, epochs: 1 },
    {
      ...(loader ? { loader: loader.load } : {}),
    },
  );
  const times = [];
  let last = 0;
  trainer.on("batchEnd", () => {
    const t = performance.now();
    if (last) times.push(t - last);
    last = t;
  });
  await trainer.run();
  return times;
}

console.log(
  `d2l-resnet18 width ${config.width}, batch ${config.batchSize}, ${data.train.channels}x${side}x${side}, ` +
    `augment ${config.augment}, ${workers} loader worker(s); ${rounds} rounds of ${steps} steps each`,
);
const loopMeans = [];
const stepMeans = [];
for (let r = 0; r < rounds; r++) {
  const loop = await loopRound(r);
  const step = await timeSteps(bench.step, { warmup: 1, steps });
  loopMeans.push(mean(loop));
  stepMeans.push(mean(step));
  console.log(
    `round ${r + 1}: loop mean ${ms(mean(loop))} (median ${ms(median(loop))}), ` +
      `bench step mean ${ms(mean(step))} (median ${ms(median(step))}); loop / step ${(mean(loop) / mean(step)).toFixed(3)}`,
  );
}
const ratio = mean(loopMeans) / mean(stepMeans);
console.log(
  `mean over rounds: loop ${ms(mean(loopMeans))}, step ${ms(mean(stepMeans))}: the loop takes ` +
    `${((ratio - 1) * 100).toFixed(1)}% longer per step (${((config.batchSize * 1000) / mean(loopMeans)).toFixed(0)} ` +
    `vs ${((config.batchSize * 1000) / mean(stepMeans)).toFixed(0)} img/s)`,
);
bench.dispose();
await loader?.close();
