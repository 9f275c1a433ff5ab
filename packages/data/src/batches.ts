/**
 * One epoch of mini-batches as tensors: seeded shuffle, optional seeded augmentation, pixels / 255 (or
 * normalised), optional bilinear resize. The batches' contents are a pure function of the data set, the
 * options and the rng's state, so that a loader building them elsewhere (worker threads) gives the same.
 */
import { type Rng, type Tensor, fromArray, resizeBilinear } from "@resnet-ts/tensor";
import type { Dataset } from "./dataset.js";
import {
  type AugmentName,
  type BatchTransform,
  type Normalization,
  batchSeed,
  buildBatch,
} from "./transforms.js";

/** A mini-batch; the caller owns (and disposes) both tensors. */
export interface Batch {
  /** [B,C,S,S] float32 pixels / 255 or normalised (C = the data set's channels; S = `resize`, or the images' own rows x cols without it). */
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
  /** Required when `shuffle` or `augment`; advanced by the shuffle, so successive epochs get different orders. */
  rng?: Rng;
  /** Resize images bilinearly (PyTorch `interpolate`, align_corners=False) to `resize` x `resize`. */
  resize?: number;
  /** Leave out the last batch when it is smaller than `batchSize`. */
  dropLast?: boolean;
  /** Seeded training augmentation (default none); see transforms.ts. */
  augment?: AugmentName;
  /** Normalize(mean, std) per channel after / 255 (default: none). */
  normalization?: Normalization | null;
  /** RandomErasing(p=erasing, value=0) after normalisation, per image (default 0: off); needs an rng. */
  erasing?: number;
  /** Mirror every image left-right (default false), e.g. for flip test-time augmentation. */
  mirror?: boolean;
  /** Start at this batch (skipping the ones before it without building them), e.g. when resuming. */
  start?: number;
}

/** What builds an epoch's batches: `batches` itself, or a loader with worker threads (`@resnet-ts/data/node`). */
export type BatchLoader = (ds: Dataset, opts: BatchOptions) => Iterator<Batch> | AsyncIterator<Batch>;

/** One batch's work, as a loader hands it to whoever builds it. */
export interface BatchPlan {
  /** Examples, in batch order. */
  indices: Uint32Array;
  /** The batch's augmentation seed. */
  seed: number;
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
 * The plan of one epoch: each batch's examples and augmentation seed. Checks the options and draws the
 * order (and, with augmentation, one more number for the epoch's augmentation seed) from the rng now.
 */
export function planEpoch(ds: Dataset, opts: BatchOptions): BatchPlan[] {
  const {
    batchSize,
    shuffle,
    rng,
    resize,
    dropLast = false,
    augment = "none",
    erasing = 0,
    start = 0,
  } = opts;
  assertBatchSize(batchSize);
  if (shuffle && !rng) throw new Error("batches: shuffle: true needs an rng (a seeded Rng)");
  if (augment !== "none" && !rng) throw new Error(`batches: augment ${augment} needs an rng (a seeded Rng)`);
  if (!(erasing >= 0 && erasing <= 1))
    throw new Error(`batches: erasing must be from 0 to 1, got ${erasing}`);
  if (erasing > 0 && !rng) throw new Error("batches: erasing needs an rng (a seeded Rng)");
  if (resize !== undefined && (!Number.isInteger(resize) || resize < 1)) {
    throw new Error(`batches: resize must be an integer >= 1, got ${resize}`);
  }
  const count = numBatches(ds, { batchSize, dropLast });
  if (!Number.isInteger(start) || start < 0 || start > count) {
    throw new Error(`batches: start must be an integer from 0 to ${count}, got ${start}`);
  }
  const order = new Uint32Array(ds.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (shuffle) rng!.shuffle(order);
  const epochSeed = augment !== "none" || erasing > 0 ? rng!.int(2 ** 32) : 0;
  const plans: BatchPlan[] = [];
  for (let b = start; b < count; b++) {
    plans.push({ indices: order.slice(b * batchSize, (b + 1) * batchSize), seed: batchSeed(epochSeed, b) });
  }
  return plans;
}

/** What `opts` asks each batch's images to go through. */
export function batchTransform(opts: BatchOptions): BatchTransform {
  return {
    augment: opts.augment ?? "none",
    normalization: opts.normalization ?? null,
    erasing: opts.erasing ?? 0,
    mirror: opts.mirror ?? false,
  };
}

/** The batch tensors from built arrays (resized on the active backend when `resize` asks for it). */
export function batchTensors(
  ds: Dataset,
  plan: BatchPlan,
  built: { images: Float32Array; labels: Float32Array },
  resize?: number,
): Batch {
  const size = plan.indices.length;
  let images = fromArray(built.images, [size, ds.channels, ds.rows, ds.cols]);
  if (resize !== undefined && (resize !== ds.rows || resize !== ds.cols)) {
    const raw = images;
    images = resizeBilinear(raw, resize);
    raw.dispose();
  }
  return { images, labels: fromArray(built.labels, [size]), indices: plan.indices, size };
}

/**
 * The batches of one epoch, built on this thread. Options are checked and the order is drawn at call
 * time (not at the first `next()`), so the rng is advanced in call order. Tensors are created on the
 * active backend.
 */
export function batches(ds: Dataset, opts: BatchOptions): Generator<Batch> {
  const plans = planEpoch(ds, opts);
  const transform = batchTransform(opts);
  return (function* () {
    for (const plan of plans) {
      yield batchTensors(ds, plan, buildBatch(ds, plan.indices, transform, plan.seed), opts.resize);
    }
  })();
}
