/**
 * The training run behind a variant comparison (`resnet-ts compare`, the web app's panel): a model is
 * trained for a fixed number of plain-SGD steps on one data set in a seeded batch order, recording every
 * step's loss and, every `recordEvery` steps, each top-level stage's gradient norm (after backward,
 * before the update). Every variant given the same options sees the same examples in the same order.
 */
import { batches, type Dataset } from "@resnet-ts/data";
import type { Module } from "@resnet-ts/layers";
import { Rng, tidy } from "@resnet-ts/tensor";
import { gradientNorms } from "./diagnostics.js";
import { crossEntropy } from "./metrics.js";
import { SGD } from "./sgd.js";
import { yieldToEventLoop } from "./yield.js";

export interface ComparisonOptions {
  steps: number;
  batchSize: number;
  lr: number;
  /** Seed of the batch order. */
  seed: number;
  resize?: number | null;
  /** Record the stages' gradient norms every this many steps. */
  recordEvery: number;
  /** Names the run in errors (e.g. the variant). */
  label?: string;
  /** Called after each step (awaited); return "stop" to end the run early. */
  onStep?: (step: number, loss: number) => "stop" | undefined | Promise<"stop" | undefined>;
  /** Called after each recording with the running mean norm of each stage. */
  onNorms?: (stages: string[], means: number[]) => void;
}

export interface ComparisonRun {
  losses: number[];
  /** Mean training loss over the last 10% of the steps. */
  finalLoss: number;
  /** Top-level stage names and their mean gradient norms over the recorded steps. */
  stages: string[];
  gradNorms: number[];
  imagesPerSecond: number;
  /** True when `onStep` asked to stop before `steps`. */
  stopped: boolean;
}

export async function trainForComparison(
  model: Module,
  train: Dataset,
  options: ComparisonOptions,
): Promise<ComparisonRun> {
  const { steps, batchSize, recordEvery } = options;
  if (train.count < batchSize) {
    throw new Error(
      `compare: ${train.count} training examples cannot make one batch of ${batchSize}; use more examples or a smaller batch`,
    );
  }
  const sgd = new SGD(model.parameters(), { lr: options.lr });
  const rng = new Rng(options.seed);
  const losses: number[] = [];
  const normSums = new Map<string, number>();
  let recorded = 0;
  let trainMs = 0;
  let stopped = false;
  model.train();
  while (losses.length < steps && !stopped) {
    const epoch = batches(train, {
      batchSize,
      shuffle: true,
      rng,
      ...(options.resize ? { resize: options.resize } : {}),
      dropLast: true,
    });
    for (const batch of epoch) {
      try {
        if (losses.length >= steps || stopped) continue;
        const start = performance.now();
        const record = (losses.length + 1) % recordEvery === 0;
        const loss = tidy(() => {
          const value = crossEntropy(model.call(batch.images), batch.labels);
          value.backward();
          if (record) {
            for (const { name, norm } of gradientNorms(model, { groupBy: "stage" }))
              normSums.set(name, (normSums.get(name) ?? 0) + norm);
            recorded++;
          }
          sgd.step();
          return value.item();
        });
        sgd.zeroGrad();
        trainMs += performance.now() - start;
        if (!Number.isFinite(loss)) {
          throw new Error(
            `compare: ${options.label ?? "the run"} diverged (loss ${loss}) at step ${losses.length + 1}`,
          );
        }
        losses.push(loss);
        const verdict = await options.onStep?.(losses.length, loss);
        if (record) {
          const stages = [...normSums.keys()];
          options.onNorms?.(
            stages,
            stages.map((k) => normSums.get(k)! / recorded),
          );
        }
        if (verdict === "stop") stopped = true;
      } finally {
        batch.images.dispose();
        batch.labels.dispose();
      }
    }
    await yieldToEventLoop();
  }
  sgd.dispose();
  const tail = losses.slice(-Math.max(1, Math.round(losses.length / 10)));
  const stages = [...normSums.keys()];
  return {
    losses,
    finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
    stages,
    gradNorms: stages.map((k) => normSums.get(k)! / Math.max(1, recorded)),
    imagesPerSecond: (losses.length * batchSize) / (trainMs / 1000),
    stopped,
  };
}
