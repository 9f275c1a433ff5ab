/**
 * Class folders (torchvision's ImageFolder) and CIFAR-10 binary files from disk, decoded once with sharp
 * into the stored form (Resize + CenterCrop to a fixed size, see image-resize.ts). Two passes: the
 * headers of every image first (size, colour, whether it is an image at all), so that the memory needed
 * is known and checked before anything is decoded, then the pixels.
 */
import { readFile, readdir } from "node:fs/promises";
import { totalmem } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import sharp from "sharp";
import { splitsFromCifar10 } from "../cifar.js";
import type { Channels, DataSplits, Dataset } from "../dataset.js";
import { type RawImage, fitImage } from "../image-resize.js";
import {
  CIFAR10_META_FILE,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  type Layout,
  imageFolderSplits,
  interleaveClasses,
  stratifiedSplit,
} from "../layout.js";

export interface ImageLoadOptions {
  /** Stored side length (default: CIFAR-10's 32; for class folders the smallest image side, from 16 to 64). */
  imageSize?: number;
  /** 1 or 3 (default: 3 when any image has colour, else 1). */
  channels?: Channels | null;
  /** Class folders without train/ + val/: the fraction held out, per class (default 0.1). */
  valFraction?: number;
  /** Seed of the split (default 0). */
  seed?: number;
  /** Bytes the stored images may take (default: a quarter of the machine's memory, at most 4 GiB). */
  maxBytes?: number;
  /** Warnings, one line each (images smaller than the size, mixed grey and colour, skipped files). */
  onWarning?: (msg: string) => void;
  /** Decoding progress. */
  onDecoded?: (done: number, total: number) => void;
}

/** Every file under `root`, relative and "/"-separated; folders with nothing in them as "name/". */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  const nonEmpty = new Set<string>();
  const dirs: string[] = [];
  for (const e of entries) {
    const rel = relative(root, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
      .split(sep)
      .join("/");
    if (e.isDirectory()) dirs.push(rel);
    else files.push(rel);
    const parent = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "";
    nonEmpty.add(parent);
  }
  for (const d of dirs) if (!nonEmpty.has(d)) files.push(`${d}/`);
  return files.sort();
}

const fmtBytes = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${n} bytes`;

/** The default limit on the stored images' bytes. */
export const defaultMaxBytes = (): number => Math.min(totalmem() / 4, 2 ** 32);

/** Throws when `count` images of channels x size x size do not fit in `maxBytes`. */
export function checkFits(
  count: number,
  channels: number,
  size: number,
  maxBytes: number,
  what: string,
): void {
  const each = channels * size * size;
  const needed = count * (each + 1);
  if (needed > maxBytes) {
    throw new Error(
      `${what}: ${count} images stored at ${channels}x${size}x${size} (${each} bytes each) need ${fmtBytes(needed)}, ` +
        `more than the ${fmtBytes(maxBytes)} allowed for the data in memory; use a smaller --image-size, --channels 1 or fewer images`,
    );
  }
}

interface Header {
  width: number;
  height: number;
  colour: boolean;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** sharp's messages can run over several lines (libvips repeats its warnings): the first one. */
const firstLine = (error: unknown) =>
  String((error as Error).message)
    .split("\n")[0]!
    .trim();

async function header(root: string, path: string): Promise<Header> {
  try {
    // From bytes, not a path: libvips caches loads by file name, so a file rewritten within its mtime's
    // resolution would be read stale.
    const m = await sharp(await readFile(join(root, path))).metadata();
    if (!m.width || !m.height) throw new Error("no image size");
    return { width: m.width, height: m.height, colour: (m.channels ?? 3) >= 3 };
  } catch (error) {
    throw new Error(
      `${join(root, path)}: not a readable image (${firstLine(error)}); expected a PNG, JPEG or WebP file`,
    );
  }
}

/** Decodes one image file into raw interleaved uint8 pixels (errors name the file). */
export async function decodeImageFile(path: string): Promise<RawImage> {
  try {
    const { data, info } = await sharp(await readFile(path))
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      channels: info.channels as RawImage["channels"],
    };
  } catch (error) {
    throw new Error(
      `${path}: cannot decode the image (${firstLine(error)}); expected a complete PNG, JPEG or WebP file`,
    );
  }
}

/** Class folders: reads, checks and decodes `layout`'s images under `root`. */
export async function loadImageFolder(
  root: string,
  layout: Extract<Layout, { kind: "image-folder" }>,
  options: ImageLoadOptions = {},
): Promise<DataSplits> {
  const warn = options.onWarning ?? (() => {});
  const classes = layout.classes.length;
  if (layout.skipped.length) {
    warn(
      `${root}: skipping ${layout.skipped.length} file(s) that are not images in class folders ` +
        `(expected .png, .jpg, .jpeg, .webp), e.g. ${join(root, layout.skipped[0]!)}`,
    );
  }
  let { train, test } = layout;
  if (!test)
    ({ train, test } = stratifiedSplit(train, classes, options.valFraction ?? 0.1, options.seed ?? 0));
  train = interleaveClasses(train, classes);
  test = interleaveClasses(test, classes);
  const all = [...train, ...test];
  const headers = await mapLimit(all, 8, (s) => header(root, s.path));
  const colour = headers.filter((h) => h.colour).length;
  const channels: Channels = options.channels ?? (colour > 0 ? 3 : 1);
  if (colour > 0 && colour < all.length) {
    const odd = channels === 3 ? headers.findIndex((h) => !h.colour) : headers.findIndex((h) => h.colour);
    warn(
      `${root}: mixed grey and colour images (${all.length - colour} grey, ${colour} colour); storing ${channels} channel(s), ` +
        `converting the others, e.g. ${join(root, all[odd]!.path)}`,
    );
  }
  const shortest = Math.min(...headers.map((h) => Math.min(h.width, h.height)));
  const size = options.imageSize ?? Math.max(16, Math.min(64, shortest));
  const small = headers.findIndex((h) => Math.min(h.width, h.height) < size);
  if (small >= 0) {
    const n = headers.filter((h) => Math.min(h.width, h.height) < size).length;
    const h = headers[small]!;
    warn(
      `${root}: ${n} image(s) smaller than --image-size ${size} on their shorter side, e.g. ${join(root, all[small]!.path)} ` +
        `(${h.width}x${h.height}); they are upscaled`,
    );
  }
  checkFits(all.length, channels, size, options.maxBytes ?? defaultMaxBytes(), root);
  const per = channels * size * size;
  const images = new Uint8Array(all.length * per);
  let done = 0;
  await mapLimit(all, 4, async (s, i) => {
    const raw = await decodeImageFile(join(root, s.path));
    fitImage(raw, channels, size, images.subarray(i * per, (i + 1) * per));
    options.onDecoded?.(++done, all.length);
  });
  return imageFolderSplits(images, train, test, {
    channels,
    size,
    source: root,
    classNames: layout.classes,
  });
}

/** Stored images `ds` refitted to `channels` and `size` (Resize + CenterCrop), when they differ. */
function refit(ds: Dataset, channels: Channels, size: number): Dataset {
  if (ds.channels === channels && ds.rows === size && ds.cols === size) return ds;
  const per = channels * size * size;
  const images = new Uint8Array(ds.count * per);
  const plane = ds.rows * ds.cols;
  const hwc = new Uint8Array(plane * ds.channels);
  for (let i = 0; i < ds.count; i++) {
    const src = ds.images.subarray(i * plane * ds.channels, (i + 1) * plane * ds.channels);
    for (let p = 0; p < plane; p++)
      for (let c = 0; c < ds.channels; c++) hwc[p * ds.channels + c] = src[c * plane + p]!;
    const raw: RawImage = { data: hwc, width: ds.cols, height: ds.rows, channels: ds.channels };
    fitImage(raw, channels, size, images.subarray(i * per, (i + 1) * per));
  }
  return { images, labels: ds.labels, count: ds.count, channels, rows: size, cols: size };
}

/** CIFAR-10's binary files in `dir` (`prefix`: the folder inside it that holds them, e.g. "cifar-10-batches-bin/"). */
export async function loadCifar10Dir(
  root: string,
  prefix: string,
  options: ImageLoadOptions = {},
): Promise<DataSplits> {
  const dir = resolve(root, prefix);
  const files = new Map<string, Uint8Array>();
  for (const name of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    const bytes = await readFile(join(dir, name)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return null;
      throw e;
    });
    if (bytes) files.set(name, bytes);
  }
  const meta = await readFile(join(dir, CIFAR10_META_FILE), "utf8").catch(() => undefined);
  const size = options.imageSize ?? 32;
  const channels = options.channels ?? 3;
  const count = [...files.values()].reduce((n, b) => n + Math.floor(b.length / 3073), 0);
  checkFits(count, Math.max(channels, 3), Math.max(size, 32), options.maxBytes ?? defaultMaxBytes(), dir);
  const splits = splitsFromCifar10(files, dir, meta);
  return {
    ...splits,
    train: refit(splits.train, channels, size),
    test: refit(splits.test, channels, size),
    channels,
    layout: "cifar10",
  };
}
