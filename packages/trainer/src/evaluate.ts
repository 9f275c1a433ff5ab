/**
 * Evaluation: the model in eval mode, without gradients, over a data set in file order. Each batch reads
 * its loss and logits back asynchronously; the labels come from the data set (host data). With flip
 * test-time augmentation the logits are the mean of those of each image and its mirror image.
 */
import { batches, type Batch, type Dataset, type Normalization } from "@resnet-ts/data";
import type { Module } from "@resnet-ts/layers";
import { add, noGrad, scale, tidy } from "@resnet-ts/tensor";
import { batchLabels, crossEntropy, readLossAndPredictions } from "./metrics.js";
import { yieldToEventLoop } from "./yield.js";

export interface EvaluateOptions {
  /** Examples per forward pass (default 256). */
  batchSize?: number;
  /** Resize images to this side length (null or undefined: keep their size). */
  resize?: number | null;
  /** Normalize(mean, std) after / 255, as in training (null or undefined: none). */
  normalization?: Normalization | null;
  /** Also return each example's predicted class. */
  predictions?: boolean;
  /** Also return the confusion matrix. */
  confusion?: boolean;
  /** Yield to the event loop every this many batches (0: never; default 1). */
  yieldEvery?: number;
  /** Checked between batches; when aborted, `evaluate` rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Test-time augmentation: "flip" averages the logits of each image and its mirror image (default "none"). */
  tta?: TtaName;
}

/** Test-time augmentations `evaluate` offers. */
export const TTA_NAMES = ["none", "flip"] as const;
export type TtaName = (typeof TTA_NAMES)[number];

export interface EvalResult {
  /** Mean cross-entropy over the examples. */
  loss: number;
  /** Fraction classified correctly. */
  accuracy: number;
  examples: number;
  /** With `predictions`: the predicted class of each example, in data set order. */
  predictions?: Uint8Array;
  /** With `confusion`: `confusion[truth][predicted]` counts, one row per class. */
  confusion?: number[][];
}

export async function evaluate(
  model: Module,
  dataset: Dataset,
  options: EvaluateOptions = {},
): Promise<EvalResult> {
  const { batchSize = 256, resize = null, yieldEvery = 1, signal } = options;
  const wasTraining = model.training;
  model.eval();
  const predictions = options.predictions ? new Uint8Array(dataset.count) : undefined;
  let confusion: number[][] | undefined;
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  const batchOptions = {
    batchSize,
    shuffle: false,
    resize: resize ?? undefined,
    normalization: options.normalization ?? null,
  };
  const mirrored = options.tta === "flip" ? batches(dataset, { ...batchOptions, mirror: true }) : null;
  try {
    let b = 0;
    for (const batch of batches(dataset, batchOptions)) {
      const mirror: Batch | undefined = mirrored?.next().value;
      try {
        signal?.throwIfAborted();
        const { lossTensor, logits } = noGrad(() =>
          tidy(() => {
            const plain = model.call(batch.images);
            const logits = mirror ? scale(add(plain, model.call(mirror.images)), 0.5) : plain;
            return { lossTensor: crossEntropy(logits, batch.labels), logits };
          }),
        );
        const classes = logits.shape[1]!;
        const { loss, predicted } = await readLossAndPredictions(lossTensor, logits);
        const truth = batchLabels(dataset.labels, batch.indices);
        if (options.confusion)
          confusion ??= Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
        for (let k = 0; k < batch.size; k++) {
          const p = predicted[k]!;
          const t = truth[k]!;
          if (p === t) correct++;
          if (predictions) predictions[seen + k] = p;
          const row = confusion?.[t];
          if (row) row[p] = (row[p] ?? 0) + 1;
        }
        lossSum += loss * batch.size;
        seen += batch.size;
      } finally {
        for (const t of [batch.images, batch.labels, mirror?.images, mirror?.labels]) t?.dispose();
      }
      if (yieldEvery > 0 && ++b % yieldEvery === 0) await yieldToEventLoop();
    }
  } finally {
    model.train(wasTraining);
  }
  const result: EvalResult = {
    loss: seen ? lossSum / seen : Number.NaN,
    accuracy: seen ? correct / seen : Number.NaN,
    examples: seen,
  };
  if (predictions) result.predictions = predictions;
  if (options.confusion) result.confusion = confusion ?? [];
  return result;
}
