/** The training loss and the metrics reported while training: cross-entropy, accuracy, running means. */
import { softmaxCrossEntropy, type Tensor } from "@resnet-ts/tensor";

/**
 * Mean softmax cross-entropy of logits [N,K] against class ids [N] (float32), like
 * `nn.CrossEntropyLoss(label_smoothing=labelSmoothing)` (default 0: none).
 */
export function crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing = 0): Tensor {
  return softmaxCrossEntropy(logits, labels, { labelSmoothing });
}

/** The index of each row's largest value of row-major [N,K] `values` (the first on ties, like `torch.argmax`). */
export function argmax(values: Float32Array, k: number): Uint8Array | Uint32Array {
  const n = Math.floor(values.length / k);
  const out = k <= 256 ? new Uint8Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let max = values[i * k]!;
    for (let j = 1; j < k; j++) {
      const v = values[i * k + j]!;
      if (v > max) {
        max = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/** `argmax` of logits [N,K], read synchronously. */
export function argmaxRows(logits: Tensor): Uint8Array | Uint32Array {
  if (logits.rank !== 2) throw new Error(`argmaxRows: logits must have rank 2 [N,K], got [${logits.shape}]`);
  return argmax(logits.dataSync(), logits.shape[1]!);
}

/**
 * Reads a step's scalar loss and its logits [N,K] back, both reads at once and asynchronously (a backend
 * may finish queued work meanwhile), then frees both tensors; returns the loss and each row's argmax.
 */
export async function readLossAndPredictions(
  loss: Tensor,
  logits: Tensor,
): Promise<{ loss: number; predicted: Uint8Array | Uint32Array }> {
  try {
    const [lossValues, values] = await Promise.all([loss.data(), logits.data()]);
    return { loss: lossValues[0]!, predicted: argmax(values, logits.shape[1]!) };
  } finally {
    loss.dispose();
    logits.dispose();
  }
}

/** How many of `predicted` equal the class id at the same place of `labels`. */
export function countMatches(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct;
}

/** The class ids of a batch's examples, from the data set's host labels (no device read). */
export function batchLabels(labels: ArrayLike<number>, indices: ArrayLike<number>): Uint8Array {
  return Uint8Array.from({ length: indices.length }, (_, i) => labels[indices[i]!]!);
}

/** How many rows of logits [N,K] have their largest value at the label's index. */
export function countCorrect(logits: Tensor, labels: Tensor): number {
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`accuracy: labels [${labels.shape}] must be [N] for logits [${logits.shape}]`);
  }
  return countMatches(argmaxRows(logits), labels.dataSync());
}

/** Fraction of rows of logits [N,K] whose argmax is the label (0 for an empty batch). */
export function accuracy(logits: Tensor, labels: Tensor): number {
  const n = logits.shape[0] ?? 0;
  return n === 0 ? 0 : countCorrect(logits, labels) / n;
}

/** A weighted running mean (d2l's `Accumulator`): add(value, weight), read `mean`. */
export class RunningMean {
  sum = 0;
  weight = 0;

  add(value: number, weight = 1): this {
    this.sum += value * weight;
    this.weight += weight;
    return this;
  }

  /** The mean so far, NaN before anything was added. */
  get mean(): number {
    return this.weight === 0 ? Number.NaN : this.sum / this.weight;
  }

  reset(): void {
    this.sum = 0;
    this.weight = 0;
  }
}
