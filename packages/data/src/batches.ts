/** One epoch of mini-batches as tensors: seeded shuffle, pixels / 255, optional bilinear resize. */
import { type Rng, type Tensor, fromArray, resizeBilinear } from "@resnet-ts/tensor";
import type { Dataset } from "./dataset.js";

/** A mini-batch; the caller owns (and disposes) both tensors. */
export interface Batch {
  /** [B,C,S,S] float32 pixels / 255 (C = the data set's channels; S = `resize`, or the images' own rows x cols without it). */
  images: Tensor;
  /** [B] float32 class indices. */
  labels: Tensor;
  /** The examples' indices in the data set, in batch order. */
  indices: Uint32Array;
  /** B. */
  size: number;
}

export interface BatchOptions {
  batchSize: number;
  /** Visit the examples in a random order drawn from `rng` (a fresh Fisher-Yates shuffle per call). */
  shuffle: boolean;
  /** Required when `shuffle`; advanced by the shuffle, so successive epochs get different orders. */
  rng?: Rng;
  /** Resize images bilinearly (PyTorch `interpolate`, align_corners=False) to `resize` x `resize`. */
  resize?: number;
  /** Leave out the last batch when it is smaller than `batchSize`. */
  dropLast?: boolean;
}

function assertBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batches: batchSize must be an integer >= 1, got ${batchSize}`);
  }
}

/** How many batches `batches(ds, opts)` yields. */
export function numBatches(ds: Dataset, opts: Pick<BatchOptions, "batchSize" | "dropLast">): number {
  assertBatchSize(opts.batchSize);
  return (opts.dropLast ? Math.floor : Math.ceil)(ds.count / opts.batchSize);
}

/**
 * The batches of one epoch. Options are checked and the order is drawn at call time (not at the first
 * `next()`), so the rng is advanced in call order. Tensors are created on the active backend.
 */
export function batches(ds: Dataset, opts: BatchOptions): Generator<Batch> {
  const { batchSize, shuffle, rng, resize, dropLast = false } = opts;
  assertBatchSize(batchSize);
  if (shuffle && !rng) throw new Error("batches: shuffle: true needs an rng (a seeded Rng)");
  if (resize !== undefined && (!Number.isInteger(resize) || resize < 1)) {
    throw new Error(`batches: resize must be an integer >= 1, got ${resize}`);
  }
  const order = new Uint32Array(ds.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (shuffle) rng!.shuffle(order);
  return generate(ds, order, batchSize, numBatches(ds, { batchSize, dropLast }), resize);
}

function* generate(ds: Dataset, order: Uint32Array, batchSize: number, count: number, resize?: number) {
  const { rows, cols, channels } = ds;
  const pixels = channels * rows * cols;
  const needsResize = resize !== undefined && (resize !== rows || resize !== cols);
  for (let b = 0; b < count; b++) {
    const indices = order.slice(b * batchSize, (b + 1) * batchSize);
    const size = indices.length;
    const values = new Float32Array(size * pixels);
    const labels = new Float32Array(size);
    for (let k = 0; k < size; k++) {
      const index = indices[k]!;
      const src = index * pixels;
      const dst = k * pixels;
      for (let p = 0; p < pixels; p++) values[dst + p] = ds.images[src + p]! / 255;
      labels[k] = ds.labels[index]!;
    }
    let images = fromArray(values, [size, channels, rows, cols]);
    if (needsResize) {
      const raw = images;
      images = resizeBilinear(raw, resize);
      raw.dispose();
    }
    yield { images, labels: fromArray(labels, [size]), indices, size };
  }
}
