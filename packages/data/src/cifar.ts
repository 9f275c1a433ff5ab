/**
 * CIFAR-10's binary version: each record is 1 label byte and 3072 pixel bytes (3 x 32 x 32, the red
 * plane, then green, then blue, rows top to bottom), 10,000 records per file; batches.meta.txt lists the
 * class names, one a line.
 */
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from "./layout.js";
import { type DataSplits, type Dataset, assertLabels } from "./dataset.js";

export const CIFAR10_SIDE = 32;
const PIXELS = 3 * CIFAR10_SIDE * CIFAR10_SIDE;
const RECORD = 1 + PIXELS;

/** The records of one CIFAR-10 binary file (`name` names it in errors); pixels copied out, CHW. */
export function parseCifar10Batch(bytes: Uint8Array, name: string, classes = 10): Dataset {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new Error(
      `${name}: ${bytes.length} bytes, expected a multiple of ${RECORD} (records of 1 label byte + 3x32x32 pixels; 30,730,000 bytes for 10,000 images)`,
    );
  }
  const count = bytes.length / RECORD;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = bytes[i * RECORD]!;
    images.set(bytes.subarray(i * RECORD + 1, (i + 1) * RECORD), i * PIXELS);
  }
  const ds: Dataset = { images, labels, count, channels: 3, rows: CIFAR10_SIDE, cols: CIFAR10_SIDE };
  assertLabels(ds, classes, name);
  return ds;
}

/** The class names of batches.meta.txt (non-empty lines, trimmed). */
export function parseCifar10Meta(text: string, name = "batches.meta.txt"): string[] {
  const names = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (names.length < 2)
    throw new Error(`${name}: ${names.length} class names, expected one a line (10 for CIFAR-10)`);
  return names;
}

function concat(parts: Dataset[]): Dataset {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { images, labels, count, channels: 3, rows: CIFAR10_SIDE, cols: CIFAR10_SIDE };
}

/**
 * The splits from the files' bytes by name (data_batch_1.bin ... data_batch_5.bin train, test_batch.bin
 * test; all six needed) and the meta file's text (default: CIFAR-10's class names in label order).
 */
export function splitsFromCifar10(
  files: ReadonlyMap<string, Uint8Array>,
  source: string,
  meta?: string,
): DataSplits {
  const classNames = meta !== undefined ? parseCifar10Meta(meta) : [...CIFAR10_CLASS_NAMES];
  const read = (name: string) => {
    const bytes = files.get(name);
    if (!bytes) {
      throw new Error(
        `${source}: missing ${name}; expected CIFAR-10's ${[...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].join(", ")}`,
      );
    }
    return parseCifar10Batch(bytes, name, classNames.length);
  };
  const train = concat(CIFAR10_TRAIN_FILES.map(read));
  const test = read(CIFAR10_TEST_FILE);
  return { train, test, source, channels: 3, classNames };
}

/** CIFAR-10's classes in label order (batches.meta.txt). */
export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze([
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
]);
