/**
 * The browser page of backend-train.test.ts: through the web worker's own backend code (probe,
 * activation, the measured choice), trains a small net with the Trainer for a few steps on each backend
 * named in `?train=` (from the same seed and data), times the training step on every usable backend
 * (`timingCandidates` forced, as `?measure-backends` does in the app), saves each trained net as the
 * app's download does (the worker's `saveCheckpoint`) and decodes it, and leaves the results in
 * `window.__backendTrainResults`.
 */
import type { DataSplits, Dataset } from "@resnet-ts/data";
import {
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
} from "@resnet-ts/layers";
import { getBackend, Rng } from "@resnet-ts/tensor";
import {
  type BatchEndEvent,
  decodeCheckpoint,
  type EpochEndEvent,
  resolveConfig,
  Trainer,
} from "@resnet-ts/trainer";
import type { BackendTiming } from "../../src/protocol.js";
import { activateBackend, type BackendProbe, probeBackends } from "../../src/worker/backend-choice.js";
import { fastestOf, timeBackends, timingCandidates } from "../../src/worker/backend-timing.js";
import { saveCheckpoint } from "../../src/worker/checkpoint.js";

export interface TrainRun {
  backend: string;
  losses: number[];
  accuracies: number[];
  testLoss: number | null;
  testAccuracy: number | null;
  predictions: number[];
  /** The downloaded checkpoint, decoded: its keys, the head's weights and the last BN's batch count. */
  checkpoint: { keys: string[]; head: number[]; batches: string };
  seconds: number;
}

export interface PageResults {
  probe: BackendProbe;
  candidates: { forced: string[]; unforced: string[] };
  runs: (TrainRun | { backend: string; error: string })[];
  timings: BackendTiming[];
  fastest: string | null;
}

const SIDE = 12;
const CLASSES = 4;

const log = (line: string) => {
  const el = document.getElementById("log");
  if (el) el.textContent += `${line}\n`;
};

/** Conv-BN-ReLU, max pool, conv-BN-ReLU, global average, linear: every kernel family the ResNet uses. */
function smallNet(seed = 3): Sequential {
  const rng = new Rng(seed);
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 1, rng }),
    new BatchNorm2d(8),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 8, 3, { padding: 1, rng }),
    new BatchNorm2d(8),
    new ReLU(),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(8, CLASSES, { rng }),
  );
}

/** Random images whose label follows their brightness, so the net can learn it. */
function dataset(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const plane = SIDE * SIDE;
  const images = new Uint8Array(count * plane);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.int(CLASSES);
    for (let p = 0; p < plane; p++) images[i * plane + p] = Math.min(255, labels[i]! * 60 + rng.int(80));
  }
  return { images, labels, count, channels: 1, rows: SIDE, cols: SIDE };
}

const splits = (): DataSplits => ({
  train: dataset(32, 1),
  test: dataset(16, 2),
  source: "synthetic",
  channels: 1,
  classNames: ["a", "b", "c", "d"],
});

async function train(backend: string): Promise<TrainRun> {
  const t0 = performance.now();
  const { name } = await activateBackend(backend, []);
  const trainer = new Trainer(
    smallNet(),
    splits(),
    resolveConfig({ epochs: 1, batchSize: 8, lr: 0.1, momentum: 0.9, seed: 5 }),
    { evaluation: { predictions: true } },
  );
  const batches: BatchEndEvent[] = [];
  let epoch: EpochEndEvent | null = null;
  trainer.on("batchEnd", (e) => void batches.push(e));
  trainer.on("epochEnd", (e) => {
    epoch = e;
  });
  await trainer.run();
  const done = epoch as EpochEndEvent | null;
  log(`${name}: losses ${batches.map((b) => b.loss.toFixed(6)).join(", ")}`);
  const bytes = await saveCheckpoint(trainer.model, {
    config: trainer.config,
    progress: trainer.progress,
    backend: name,
    testAccuracy: done?.testAccuracy ?? null,
    preprocessing: null,
  });
  const { stateDict } = decodeCheckpoint(bytes);
  return {
    backend: getBackend().name,
    losses: batches.map((b) => b.loss),
    accuracies: batches.map((b) => b.accuracy),
    testLoss: done?.testLoss ?? null,
    testAccuracy: done?.testAccuracy ?? null,
    predictions: Array.from(done?.evaluation?.predictions ?? []),
    checkpoint: {
      keys: Object.keys(stateDict),
      head: Array.from(stateDict["9.weight"]!.data, Number),
      batches: String(stateDict["5.num_batches_tracked"]!.data[0]),
    },
    seconds: (performance.now() - t0) / 1000,
  };
}

async function main(): Promise<PageResults> {
  const probe = await probeBackends();
  log(`probe: ${JSON.stringify(probe)}`);
  const runs: PageResults["runs"] = [];
  for (const backend of (new URLSearchParams(location.search).get("train") ?? "cpu").split(",")) {
    try {
      runs.push(await train(backend));
    } catch (error) {
      runs.push({ backend, error: (error as Error).stack ?? String(error) });
    }
  }
  const forced = timingCandidates(probe, true);
  const timings = await timeBackends(forced, {
    batchSize: 8,
    channels: 1,
    side: SIDE,
    classes: CLASSES,
    build: () => smallNet(),
    steps: 2,
  });
  log(`timings: ${JSON.stringify(timings)}`);
  return {
    probe,
    candidates: { forced, unforced: timingCandidates(probe, false) },
    runs,
    timings,
    fastest: fastestOf(timings),
  };
}

main().then(
  (results) => {
    (window as unknown as { __backendTrainResults: unknown }).__backendTrainResults = results;
  },
  (error: Error) => {
    (window as unknown as { __backendTrainResults: unknown }).__backendTrainResults = {
      fatal: error.stack ?? String(error),
    };
  },
);
