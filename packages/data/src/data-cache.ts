/**
 * The binary data cache: both splits in one compact blob that loads in milliseconds (the Node loader
 * writes it once from the fashion-mnist JSON; the web app can fetch it as a static file).
 *
 * Layout, integers uint32 little-endian:
 *   0  magic "RNTSDATA" (8 bytes ASCII)    8  version (1)
 *   12 train count   16 test count   20 rows   24 cols
 *   28 source length in bytes (UTF-8)   32 CRC-32 of every byte after the 36-byte header
 *   36 source, train images, train labels, test images, test labels (uint8).
 */
import { CLASS_NAMES } from "./classes.js";
import { crc32 } from "./crc32.js";
import { type DataSplits, type Dataset, assertDataset } from "./dataset.js";

export const DATA_CACHE_MAGIC = "RNTSDATA";
/** 2: the Fashion-MNIST sets interleave the classes (1 had them class by class). */
export const DATA_CACHE_VERSION = 2;
const HEADER_BYTES = 36;

/** Packs `splits` (train and test images of the same size) into the cache blob. */
export function encodeDataCache(splits: DataSplits): Uint8Array {
  const { train, test } = splits;
  assertDataset(train, "encodeDataCache: train");
  assertDataset(test, "encodeDataCache: test");
  if (train.channels !== 1 || test.channels !== 1) {
    throw new Error(`encodeDataCache: ${train.channels}-channel images, expected grey (1 channel) ones`);
  }
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(
      `encodeDataCache: test images are ${test.rows}x${test.cols}, expected ${train.rows}x${train.cols} like train`,
    );
  }
  const source = new TextEncoder().encode(splits.source);
  const parts = [source, train.images, train.labels, test.images, test.labels];
  const out = new Uint8Array(HEADER_BYTES + parts.reduce((n, p) => n + p.length, 0));
  let offset = HEADER_BYTES;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  for (let i = 0; i < DATA_CACHE_MAGIC.length; i++) out[i] = DATA_CACHE_MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  const words = [DATA_CACHE_VERSION, train.count, test.count, train.rows, train.cols, source.length];
  words.forEach((word, i) => {
    view.setUint32(8 + 4 * i, word, true);
  });
  view.setUint32(32, crc32(out.subarray(HEADER_BYTES)), true);
  return out;
}

export interface DecodeOptions {
  /** A faster CRC-32 with the same result, e.g. node:zlib's `crc32` (default: the JS one, about 3 ms/MB). */
  crc32?: (bytes: Uint8Array) => number;
}

/**
 * Reads a cache blob back, checking magic, version, length and checksum; `name` (e.g. the file path)
 * names it in errors. The arrays are views into `bytes`. The images are grey (the format holds one
 * channel) and the class names Fashion-MNIST's.
 */
export function decodeDataCache(
  bytes: Uint8Array,
  name = "data cache",
  options: DecodeOptions = {},
): DataSplits {
  if (bytes.length < HEADER_BYTES) {
    throw new Error(`${name}: ${bytes.length} bytes, expected at least the ${HEADER_BYTES}-byte header`);
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== DATA_CACHE_MAGIC) {
    throw new Error(`${name}: magic ${JSON.stringify(magic)}, expected ${JSON.stringify(DATA_CACHE_MAGIC)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const [version, trainCount, testCount, rows, cols, sourceLength, checksum] = Array.from(
    { length: 7 },
    (_, i) => view.getUint32(8 + 4 * i, true),
  ) as [number, number, number, number, number, number, number];
  if (version !== DATA_CACHE_VERSION) {
    throw new Error(`${name}: version ${version}, expected ${DATA_CACHE_VERSION}`);
  }
  const pixels = rows * cols;
  const expected = HEADER_BYTES + sourceLength + (trainCount + testCount) * (pixels + 1);
  if (bytes.length !== expected) {
    throw new Error(
      `${name}: ${bytes.length} bytes, expected ${expected} (header, ${sourceLength}-byte source, ` +
        `${trainCount} train + ${testCount} test images of ${rows}x${cols} with labels)`,
    );
  }
  const actual = (options.crc32 ?? crc32)(bytes.subarray(HEADER_BYTES));
  if (actual !== checksum) {
    throw new Error(
      `${name}: checksum 0x${actual.toString(16).padStart(8, "0")}, expected 0x${checksum.toString(16).padStart(8, "0")} (corrupt data)`,
    );
  }
  let offset = HEADER_BYTES;
  const take = (length: number): Uint8Array => {
    const part = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length);
    offset += length;
    return part;
  };
  const source = new TextDecoder().decode(take(sourceLength));
  const dataset = (count: number): Dataset => ({
    images: take(count * pixels),
    labels: take(count),
    count,
    channels: 1,
    rows,
    cols,
  });
  const train = dataset(trainCount);
  const test = dataset(testCount);
  return { train, test, source, channels: 1, classNames: CLASS_NAMES };
}
