/** A directory of the four standard IDX files, each plain or gzipped (`.gz`). */
import { access, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gunzip as gunzipCb, gzip as gzipCb } from "node:zlib";
import type { DataSplits } from "../dataset.js";
import { encodeIdxSplits, IDX_FILE_NAMES, type IdxFileKey, splitsFromIdx } from "../idx.js";

const gunzip = promisify(gunzipCb);
const gzip = promisify(gzipCb);
const KEYS = Object.keys(IDX_FILE_NAMES) as IdxFileKey[];
const EXPECTED = KEYS.map((k) => IDX_FILE_NAMES[k]).join(", ");

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** The path of one IDX file in `dir`: exactly one of `<name>` and `<name>.gz` must exist. */
async function findIdxFile(dir: string, name: string): Promise<string> {
  const plain = join(dir, name);
  const gz = `${plain}.gz`;
  const [hasPlain, hasGz] = await Promise.all([exists(plain), exists(gz)]);
  if (hasPlain && hasGz)
    throw new Error(`loadIdxDir: both ${plain} and ${gz} exist, expected only one of them`);
  if (!hasPlain && !hasGz) {
    throw new Error(
      `loadIdxDir: missing ${name} (or ${name}.gz) in ${dir}; expected the four IDX files ${EXPECTED}`,
    );
  }
  return hasPlain ? plain : gz;
}

async function readIdxFile(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path);
  if (!path.endsWith(".gz")) return bytes;
  try {
    return await gunzip(bytes);
  } catch (err) {
    throw new Error(`${path}: not valid gzip data (${(err as Error).message}), expected a gzipped IDX file`);
  }
}

/** Loads the splits from the IDX files in `dir` (source: the absolute directory). */
export async function loadIdxDir(dir: string): Promise<DataSplits> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory())
    throw new Error(`loadIdxDir: ${root} is not a directory; expected one holding ${EXPECTED}`);
  const paths: string[] = [];
  // One after another, so that the first missing or ambiguous file in the standard order is reported.
  for (const k of KEYS) paths.push(await findIdxFile(root, IDX_FILE_NAMES[k]));
  const bytes = await Promise.all(paths.map(readIdxFile));
  const pick = <T>(values: T[]): Record<IdxFileKey, T> =>
    Object.fromEntries(KEYS.map((k, i) => [k, values[i]!])) as Record<IdxFileKey, T>;
  return splitsFromIdx(pick(bytes), root, pick(paths));
}

export interface WriteIdxOptions {
  /** Write `<name>.gz` files instead of plain ones. */
  gzip?: boolean;
}

/** Writes the four IDX files of `splits` (grey images) into `dir` (created if needed); returns their paths. */
export async function writeIdxDir(
  dir: string,
  splits: Pick<DataSplits, "train" | "test"> & Partial<DataSplits>,
  { gzip: zip = false }: WriteIdxOptions = {},
) {
  const contents = encodeIdxSplits(splits);
  await mkdir(dir, { recursive: true });
  return Promise.all(
    KEYS.map(async (k) => {
      const path = join(dir, IDX_FILE_NAMES[k] + (zip ? ".gz" : ""));
      await writeFile(path, zip ? await gzip(contents[k]) : contents[k]);
      return path;
    }),
  );
}
