/**
 * The in-memory data set: uint8 images of one fixed size, stored channel-first per image (CHW, the
 * images one after another), their labels, and helpers over it.
 */

/** The channel counts a data set can have: grey (1) or RGB (3). */
export type Channels = 1 | 3;

/**
 * `count` images of `channels` x `rows` x `cols` uint8 pixels (per image channel-major: all of channel 0
 * row by row, then channel 1, ...; one image after another) and their labels (class indices).
 */
export interface Dataset {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  channels: Channels;
  rows: number;
  cols: number;
}

/**
 * A training and a test set of the same image shape, where they came from (a package name or a
 * directory), and the class names (label k is `classNames[k]`).
 */
export interface DataSplits {
  train: Dataset;
  test: Dataset;
  source: string;
  channels: Channels;
  classNames: readonly string[];
  /** The layout it was read from: "fashion-mnist", "idx", "image-folder" or "cifar10". */
  layout?: "fashion-mnist" | "idx" | "image-folder" | "cifar10";
}

/** Bytes one image of `ds` takes: channels * rows * cols. */
export const imageBytes = (ds: Pick<Dataset, "channels" | "rows" | "cols">): number =>
  ds.channels * ds.rows * ds.cols;

/** Throws unless the arrays of `ds` hold exactly `count` images and labels; `what` names it in the error. */
export function assertDataset(ds: Dataset, what = "dataset"): void {
  const { count, rows, cols, channels } = ds;
  for (const [key, value] of Object.entries({ count, rows, cols })) {
    if (!Number.isInteger(value) || value < (key === "count" ? 0 : 1)) {
      throw new Error(`${what}: ${key} ${value} must be an integer >= ${key === "count" ? 0 : 1}`);
    }
  }
  if (channels !== 1 && channels !== 3) throw new Error(`${what}: channels ${channels}, expected 1 or 3`);
  if (ds.images.length !== count * channels * rows * cols) {
    throw new Error(
      `${what}: ${ds.images.length} image bytes, expected count*channels*rows*cols = ` +
        `${count}*${channels}*${rows}*${cols} = ${count * channels * rows * cols}`,
    );
  }
  if (ds.labels.length !== count) {
    throw new Error(`${what}: ${ds.labels.length} labels, expected count = ${count}`);
  }
}

/**
 * Throws unless every label of `ds` is below `classes`; names the first bad one. `what` names the data
 * set (e.g. its file) in the error.
 */
export function assertLabels(ds: Pick<Dataset, "labels">, classes: number, what = "dataset"): void {
  const bad = ds.labels.findIndex((l) => l >= classes);
  if (bad >= 0) {
    throw new Error(
      `${what}: label ${ds.labels[bad]} at example ${bad}, expected a class index below ${classes}`,
    );
  }
}

/** The first `n` examples in file order (views, no copy); all of them when `n` exceeds the count. */
export function takeFirst(ds: Dataset, n: number): Dataset {
  if (!Number.isInteger(n) || n < 1) throw new Error(`takeFirst: n must be an integer >= 1, got ${n}`);
  const count = Math.min(n, ds.count);
  return {
    images: ds.images.subarray(0, count * imageBytes(ds)),
    labels: ds.labels.subarray(0, count),
    count,
    channels: ds.channels,
    rows: ds.rows,
    cols: ds.cols,
  };
}
