/** The in-memory data set: uint8 pixels and labels in file order, and helpers over it. */

/** `count` grey images of `rows` x `cols` uint8 pixels (row-major, one after another) and their labels. */
export interface Dataset {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** A training and a test set, and where they came from (a package name or a directory). */
export interface DataSplits {
  train: Dataset;
  test: Dataset;
  source: string;
}

/** Throws unless the arrays of `ds` hold exactly `count` images and labels; `what` names it in the error. */
export function assertDataset(ds: Dataset, what = "dataset"): void {
  const { count, rows, cols } = ds;
  for (const [key, value] of Object.entries({ count, rows, cols })) {
    if (!Number.isInteger(value) || value < (key === "count" ? 0 : 1)) {
      throw new Error(`${what}: ${key} ${value} must be an integer >= ${key === "count" ? 0 : 1}`);
    }
  }
  if (ds.images.length !== count * rows * cols) {
    throw new Error(
      `${what}: ${ds.images.length} image bytes, expected count*rows*cols = ${count}*${rows}*${cols} = ${count * rows * cols}`,
    );
  }
  if (ds.labels.length !== count) {
    throw new Error(`${what}: ${ds.labels.length} labels, expected count = ${count}`);
  }
}

/**
 * Throws unless every label of `ds` is a class index below `classes`, naming the first bad one by its
 * index in the file (0-based) and `what` (e.g. the label file's path).
 */
export function assertLabels(ds: Pick<Dataset, "labels">, classes: number, what = "labels"): void {
  const bad = ds.labels.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new Error(
      `${what}: label ${ds.labels[bad]} at index ${bad} (0-based), expected a class index 0 to ${classes - 1} ` +
        `(${classes} classes)`,
    );
  }
}

/** The first `n` examples in file order (views, no copy); all of them when `n` exceeds the count. */
export function takeFirst(ds: Dataset, n: number): Dataset {
  if (!Number.isInteger(n) || n < 1) throw new Error(`takeFirst: n must be an integer >= 1, got ${n}`);
  const count = Math.min(n, ds.count);
  const pixels = ds.rows * ds.cols;
  return {
    images: ds.images.subarray(0, count * pixels),
    labels: ds.labels.subarray(0, count),
    count,
    rows: ds.rows,
    cols: ds.cols,
  };
}
