import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  IDX_FILE_NAMES,
  encodeIdxImages,
  encodeIdxLabels,
  parseIdxImages,
  parseIdxLabels,
  splitsFromIdx,
} from "../src/index.js";
import { loadData, loadIdxDir, writeIdxDir } from "../src/node.js";
import { byteDifference, synthetic, syntheticSplits } from "./helpers.js";

const dirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "resnet-ts-data-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const idxFiles = (splits = syntheticSplits()) => ({
  trainImages: encodeIdxImages(splits.train.images, splits.train.count, splits.train.rows, splits.train.cols),
  trainLabels: encodeIdxLabels(splits.train.labels),
  testImages: encodeIdxImages(splits.test.images, splits.test.count, splits.test.rows, splits.test.cols),
  testLabels: encodeIdxLabels(splits.test.labels),
});

describe("IDX encoding and parsing", () => {
  it("writes the big-endian header by hand-checked bytes", () => {
    const bytes = encodeIdxImages(new Uint8Array([9, 8, 7, 6, 5, 4]), 2, 1, 3);
    expect(Array.from(bytes)).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 9, 8, 7, 6, 5, 4]);
    expect(Array.from(encodeIdxLabels(new Uint8Array([3, 1])))).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 3, 1]);
  });

  it("round-trips images and labels", () => {
    const ds = synthetic(300, 28, 28);
    const images = parseIdxImages(encodeIdxImages(ds.images, ds.count, ds.rows, ds.cols));
    expect(images).toMatchObject({ count: 300, rows: 28, cols: 28 });
    expect(byteDifference(images.images, ds.images)).toBeNull();
    const labels = parseIdxLabels(encodeIdxLabels(ds.labels));
    expect(labels.count).toBe(300);
    expect(byteDifference(labels.labels, ds.labels)).toBeNull();
  });

  it("rejects a wrong magic, naming the file, what it found and what it expected", () => {
    const labels = encodeIdxLabels(new Uint8Array(4));
    expect(() => parseIdxImages(labels, "train-images-idx3-ubyte")).toThrow(
      "train-images-idx3-ubyte: magic 0x00000801, expected 0x00000803 (images)",
    );
    const images = encodeIdxImages(new Uint8Array(4), 1, 2, 2);
    expect(() => parseIdxLabels(images, "t10k-labels-idx1-ubyte")).toThrow(
      "t10k-labels-idx1-ubyte: magic 0x00000803, expected 0x00000801 (labels)",
    );
  });

  it("rejects truncated data, trailing bytes, a short header and empty image sizes", () => {
    const bytes = encodeIdxImages(new Uint8Array(2 * 3 * 4), 2, 3, 4);
    expect(() => parseIdxImages(bytes.subarray(0, bytes.length - 5), "imgs")).toThrow(
      "imgs: truncated, expected 40 bytes (16-byte header + 2 images of 3x4), got 35",
    );
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expect(() => parseIdxImages(longer, "imgs")).toThrow("imgs: 2 trailing bytes, expected 40 bytes");
    expect(() => parseIdxImages(bytes.subarray(0, 10), "imgs")).toThrow(
      "imgs: 10 bytes, expected at least a 16-byte IDX images header",
    );
    const labels = encodeIdxLabels(new Uint8Array(10));
    expect(() => parseIdxLabels(labels.subarray(0, 12), "lbls")).toThrow(
      "lbls: truncated, expected 18 bytes (8-byte header + 10 labels), got 12",
    );
    expect(() => parseIdxImages(encodeIdxImages(new Uint8Array(0), 5, 0, 28), "imgs")).toThrow(
      "imgs: image size 0x28, expected rows and cols >= 1",
    );
  });

  it("checks that counts and image sizes agree across files", () => {
    const files = idxFiles();
    expect(splitsFromIdx(files, "mem").train.count).toBe(12);
    expect(() =>
      splitsFromIdx({ ...files, trainLabels: encodeIdxLabels(new Uint8Array(11)) }, "mem"),
    ).toThrow("train-labels-idx1-ubyte: 11 labels, expected 12 (the image count of train-images-idx3-ubyte)");
    const other = syntheticSplits(12, 5, 5, 3);
    expect(() => splitsFromIdx({ ...files, testImages: idxFiles(other).testImages }, "mem")).toThrow(
      "t10k-images-idx3-ubyte: images of 5x3, expected 4x3 like train-images-idx3-ubyte",
    );
  });
});

describe("IDX directories", () => {
  for (const gzip of [false, true]) {
    it(`round-trips through writeIdxDir and loadIdxDir (${gzip ? "gzipped" : "plain"})`, async () => {
      const dir = await tempDir();
      const splits = syntheticSplits(40, 7);
      const paths = await writeIdxDir(dir, splits, { gzip });
      expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(
        Object.values(IDX_FILE_NAMES).map((n) => (gzip ? `${n}.gz` : n)),
      );
      const loaded = await loadIdxDir(dir);
      expect(loaded).toEqual({ ...splits, source: dir, layout: "idx" });
      expect(await loadData(dir)).toEqual(loaded);
    });
  }

  it("reads a mix of plain and gzipped files", async () => {
    const dir = await tempDir();
    const files = idxFiles();
    await writeFile(join(dir, IDX_FILE_NAMES.trainImages), files.trainImages);
    await writeFile(join(dir, `${IDX_FILE_NAMES.trainLabels}.gz`), gzipSync(files.trainLabels));
    await writeFile(join(dir, `${IDX_FILE_NAMES.testImages}.gz`), gzipSync(files.testImages));
    await writeFile(join(dir, IDX_FILE_NAMES.testLabels), files.testLabels);
    expect((await loadIdxDir(dir)).test.images).toEqual(syntheticSplits().test.images);
  });

  it("names a missing file and the files expected", async () => {
    const dir = await tempDir();
    await writeIdxDir(dir, syntheticSplits(), { gzip: true });
    await rm(join(dir, "t10k-labels-idx1-ubyte.gz"));
    await expect(loadIdxDir(dir)).rejects.toThrow(
      `loadIdxDir: missing t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz) in ${dir}; expected the four IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte`,
    );
  });

  it("names a corrupt file by its path", async () => {
    const dir = await tempDir();
    await writeIdxDir(dir, syntheticSplits());
    const path = join(dir, IDX_FILE_NAMES.testImages);
    await writeFile(path, encodeIdxLabels(new Uint8Array(3)));
    await expect(loadIdxDir(dir)).rejects.toThrow(`${path}: magic 0x00000801, expected 0x00000803 (images)`);
    await writeFile(path, idxFiles().testImages.subarray(0, 30));
    await expect(loadIdxDir(dir)).rejects.toThrow(`${path}: truncated, expected 76 bytes`);
    await rm(path);
    await writeFile(`${path}.gz`, new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
    await expect(loadIdxDir(dir)).rejects.toThrow(`${path}.gz: not valid gzip data (`);
  });

  it("rejects a count mismatch between files on disk", async () => {
    const dir = await tempDir();
    await writeIdxDir(dir, syntheticSplits());
    await writeFile(join(dir, IDX_FILE_NAMES.testLabels), encodeIdxLabels(new Uint8Array(6)));
    await expect(loadIdxDir(dir)).rejects.toThrow(
      `${join(dir, IDX_FILE_NAMES.testLabels)}: 6 labels, expected 5 (the image count of ${join(dir, IDX_FILE_NAMES.testImages)})`,
    );
  });

  it("rejects a file present both plain and gzipped, and a directory that does not exist", async () => {
    const dir = await tempDir();
    await writeIdxDir(dir, syntheticSplits());
    await writeIdxDir(dir, syntheticSplits(), { gzip: true });
    const plain = join(dir, IDX_FILE_NAMES.trainImages);
    await expect(loadIdxDir(dir)).rejects.toThrow(`loadIdxDir: both ${plain} and ${plain}.gz exist`);
    const missing = join(dir, "nope");
    await expect(loadIdxDir(missing)).rejects.toThrow(`loadIdxDir: ${missing} is not a directory`);
    await expect(loadData(missing)).rejects.toThrow(
      `loadData: ${JSON.stringify(missing)} is neither "fashion-mnist" nor a directory of IDX files`,
    );
  });
});
