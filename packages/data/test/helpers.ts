/** Small synthetic data sets for the tests. */
import { CLASS_NAMES, type DataSplits, type Dataset } from "../src/index.js";

/** `count` images of rows x cols with pixel p of image k = (7k + 3p) mod 256, labels k mod 10. */
export function synthetic(count: number, rows = 4, cols = 3): Dataset {
  const pixels = rows * cols;
  const images = new Uint8Array(count * pixels);
  for (let k = 0; k < count; k++)
    for (let p = 0; p < pixels; p++) images[k * pixels + p] = (7 * k + 3 * p) % 256;
  const labels = Uint8Array.from({ length: count }, (_, k) => k % 10);
  return { images, labels, count, channels: 1, rows, cols };
}

export function syntheticSplits(train = 12, test = 5, rows = 4, cols = 3): DataSplits {
  const t = synthetic(test, rows, cols);
  t.images.reverse();
  return {
    train: synthetic(train, rows, cols),
    test: t,
    source: "synthetic",
    channels: 1,
    classNames: CLASS_NAMES,
  };
}

/** null when `a` and `b` hold the same bytes, else where they first differ (fast on large arrays). */
export function byteDifference(a: Uint8Array, b: Uint8Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  if (Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length)))
    return null;
  const i = a.findIndex((v, k) => v !== b[k]);
  return `byte ${i}: ${a[i]} vs ${b[i]}`;
}
