/**
 * The training step that benchmarks time (`resnet-ts bench`, the web app's benchmark page): one fixed,
 * seeded batch of random images and labels; forward, cross-entropy, backward, SGD update and the loss
 * read back (asynchronously), as the Trainer takes a step. `timeSteps` warms a step up and times it.
 */
import type { Module } from "@resnet-ts/layers";
import { fromArray, Rng, tidy } from "@resnet-ts/tensor";
import { crossEntropy } from "./metrics.js";
import { SGD, type SgdOptions } from "./sgd.js";

export interface BenchStepOptions {
  batchSize: number;
  channels: number;
  /** Image side length (square images). */
  side: number;
  /** Label range (default 10). */
  classes?: number;
  /** Seeds the images and labels (default 0). */
  seed?: number;
  /** SGD learning rate (default 0.05). */
  lr?: number;
  /** The rest of SGD's settings (default plain SGD), e.g. a config's momentum and weight decay. */
  sgd?: Omit<SgdOptions, "lr">;
  /** Label smoothing of the loss (default 0). */
  labelSmoothing?: number;
}

export interface BenchStep {
  /** One training step on the batch; resolves to its loss once read back (asynchronously, as the Trainer reads it). */
  step: () => Promise<number>;
  /** Frees the batch and the optimizer's state (not the model). */
  dispose: () => void;
}

/** A training step of `model` (put in training mode) on a synthetic batch of `options`' shape. */
export function benchStep(model: Module, options: BenchStepOptions): BenchStep {
  const {
    batchSize: b,
    channels: c,
    side: s,
    classes = 10,
    seed = 0,
    lr = 0.05,
    labelSmoothing = 0,
  } = options;
  const rng = new Rng(seed);
  const images = fromArray(
    Float32Array.from({ length: b * c * s * s }, () => rng.next()),
    [b, c, s, s],
  );
  const labels = fromArray(
    Float32Array.from({ length: b }, () => rng.int(classes)),
    [b],
  );
  const sgd = new SGD(model.parameters(), { ...options.sgd, lr });
  model.train();
  return {
    step: async () => {
      const loss = tidy(() => {
        const loss = crossEntropy(model.call(images), labels, labelSmoothing);
        loss.backward();
        sgd.step();
        sgd.zeroGrad();
        return loss;
      });
      try {
        return (await loss.data())[0]!;
      } finally {
        loss.dispose();
      }
    },
    dispose: () => {
      images.dispose();
      labels.dispose();
      sgd.dispose();
    },
  };
}

export interface TimeStepsOptions {
  /** Untimed steps first. */
  warmup: number;
  /** Timed steps (at least one is timed). */
  steps: number;
  /** Stop timing once the timed steps took this many seconds in all (default: no limit). */
  maxSeconds?: number;
}

/** Runs `step` `warmup` times, then times up to `steps` runs; returns each timed run's milliseconds. */
export async function timeSteps(step: () => unknown, options: TimeStepsOptions): Promise<number[]> {
  const limitMs = (options.maxSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  for (let i = 0; i < options.warmup; i++) await step();
  const times: number[] = [];
  let total = 0;
  while (times.length < Math.max(1, options.steps) && (times.length === 0 || total < limitMs)) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
    total += times.at(-1)!;
  }
  return times;
}

/** The median of `values` (the upper one of the middle two for an even count). */
export const median = (values: readonly number[]): number =>
  [...values].sort((p, q) => p - q)[Math.floor(values.length / 2)]!;
