/**
 * The IDX format of the official (Fashion-)MNIST files, big-endian: magic 0x00000803, count, rows, cols,
 * then uint8 pixels (images); magic 0x00000801, count, then uint8 labels (labels).
 */
import { CLASS_NAMES } from "./classes.js";
import { assertLabels, type DataSplits, type Dataset } from "./dataset.js";

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

/** The four standard file names (each may also come gzipped, with a `.gz` suffix). */
export const IDX_FILE_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

export type IdxFileKey = keyof typeof IDX_FILE_NAMES;

export interface IdxImages {
  images: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface IdxLabels {
  labels: Uint8Array;
  count: number;
}

const hex = (v: number): string => `0x${v.toString(16).padStart(8, "0")}`;

/** The header's big-endian words, the magic checked first (so that a swapped file reports its magic). */
function readHeader(bytes: Uint8Array, name: string, magic: number, kind: string, words: number): number[] {
  const headerBytes = 4 * words;
  const short = (): Error =>
    new Error(`${name}: ${bytes.length} bytes, expected at least a ${headerBytes}-byte IDX ${kind} header`);
  if (bytes.length < 4) throw short();
  const view = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, headerBytes));
  const found = view.getUint32(0, false);
  if (found !== magic) throw new Error(`${name}: magic ${hex(found)}, expected ${hex(magic)} (${kind})`);
  if (bytes.length < headerBytes) throw short();
  return Array.from({ length: words }, (_, i) => view.getUint32(4 * i, false));
}

function payload(bytes: Uint8Array, name: string, offset: number, length: number, what: string): Uint8Array {
  const expected = offset + length;
  if (bytes.length < expected) {
    throw new Error(`${name}: truncated, expected ${expected} bytes (${what}), got ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new Error(
      `${name}: ${bytes.length - expected} trailing bytes, expected ${expected} bytes (${what})`,
    );
  }
  return new Uint8Array(bytes.subarray(offset, expected));
}

/** Parses an IDX image file; the pixels are copied out of `bytes`. `name` names the file in errors. */
export function parseIdxImages(bytes: Uint8Array, name = "images"): IdxImages {
  const [, count, rows, cols] = readHeader(bytes, name, IDX_IMAGES_MAGIC, "images", 4) as [
    number,
    number,
    number,
    number,
  ];
  if (rows < 1 || cols < 1)
    throw new Error(`${name}: image size ${rows}x${cols}, expected rows and cols >= 1`);
  const images = payload(
    bytes,
    name,
    16,
    count * rows * cols,
    `16-byte header + ${count} images of ${rows}x${cols}`,
  );
  return { images, count, rows, cols };
}

/** Parses an IDX label file; the labels are copied out of `bytes`. `name` names the file in errors. */
export function parseIdxLabels(bytes: Uint8Array, name = "labels"): IdxLabels {
  const [, count] = readHeader(bytes, name, IDX_LABELS_MAGIC, "labels", 2) as [number, number];
  const labels = payload(bytes, name, 8, count, `8-byte header + ${count} labels`);
  return { labels, count };
}

function withHeader(header: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 * header.length + data.length);
  const view = new DataView(out.buffer);
  header.forEach((word, i) => {
    view.setUint32(4 * i, word, false);
  });
  out.set(data, 4 * header.length);
  return out;
}

/** The IDX bytes of `count` images of `rows` x `cols` pixels. */
export function encodeIdxImages(images: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  if (images.length !== count * rows * cols) {
    throw new Error(`encodeIdxImages: ${images.length} pixels, expected ${count}*${rows}*${cols}`);
  }
  return withHeader([IDX_IMAGES_MAGIC, count, rows, cols], images);
}

/** The IDX bytes of a label array. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  return withHeader([IDX_LABELS_MAGIC, labels.length], labels);
}

/** The four IDX files' bytes of `splits` (grey images), by file key. */
export function encodeIdxSplits(splits: Pick<DataSplits, "train" | "test">): Record<IdxFileKey, Uint8Array> {
  const { train, test } = splits;
  if (train.channels !== 1 || test.channels !== 1) {
    throw new Error(
      `encodeIdxSplits: ${train.channels}-channel images; IDX files hold grey (1-channel) ones`,
    );
  }
  return {
    trainImages: encodeIdxImages(train.images, train.count, train.rows, train.cols),
    trainLabels: encodeIdxLabels(train.labels),
    testImages: encodeIdxImages(test.images, test.count, test.rows, test.cols),
    testLabels: encodeIdxLabels(test.labels),
  };
}

function datasetFromIdx(
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  imagesName: string,
  labelsName: string,
  classes: number,
) {
  const { images, count, rows, cols } = parseIdxImages(imagesBytes, imagesName);
  const { labels, count: labelCount } = parseIdxLabels(labelsBytes, labelsName);
  if (labelCount !== count) {
    throw new Error(
      `${labelsName}: ${labelCount} labels, expected ${count} (the image count of ${imagesName})`,
    );
  }
  assertLabels({ labels }, classes, labelsName);
  return { images, labels, count, channels: 1, rows, cols } satisfies Dataset;
}

/**
 * Both splits from the four IDX files' (uncompressed) bytes, checking that counts and image sizes agree.
 * The images are grey (1 channel); the class names are Fashion-MNIST's, and every label must be one of
 * their indices. `names` (default: the standard file names) name the files in errors.
 */
export function splitsFromIdx(
  files: Record<IdxFileKey, Uint8Array>,
  source: string,
  names: Partial<Record<IdxFileKey, string>> = {},
): DataSplits {
  const n = { ...IDX_FILE_NAMES, ...names };
  const classes = CLASS_NAMES.length;
  const train = datasetFromIdx(files.trainImages, files.trainLabels, n.trainImages, n.trainLabels, classes);
  const test = datasetFromIdx(files.testImages, files.testLabels, n.testImages, n.testLabels, classes);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(
      `${n.testImages}: images of ${test.rows}x${test.cols}, expected ${train.rows}x${train.cols} like ${n.trainImages}`,
    );
  }
  return { train, test, source, channels: 1, classNames: CLASS_NAMES, layout: "idx" };
}
