/** Loading class folders and CIFAR-10 files from disk (sharp decoding), and the bad-input messages. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeSplits, fitImage } from "../src/index.js";
import { decodeImageFile, loadData } from "../src/node.js";
import { classImage, tempDir, writeClassFolders, writeImage } from "./image-fixtures.js";
import { Rng } from "@resnet-ts/tensor";

const collect = () => {
  const warnings: string[] = [];
  return { warnings, onWarning: (m: string) => warnings.push(m) };
};

describe("class folders", async () => {
  const root = await tempDir();

  it("decodes each image once into Resize + CenterCrop at --image-size, with a stratified split", async () => {
    const dir = join(root, "plain");
    const paths = await writeClassFolders(dir, {
      classes: ["red", "green", "blue"],
      perClass: 10,
      sizes: [
        [20, 24],
        [30, 18],
      ],
    });
    await writeFile(join(dir, "red", "notes.txt"), "not an image");
    const w = collect();
    const s = await loadData(dir, { imageSize: 16, ...w });
    expect(describeSplits(s)).toBe(
      `class folders ${dir}: 3 classes (blue 9, green 9, red 9), 27 train / 3 test images, 3x16x16`,
    );
    expect(s.classNames).toEqual(["red", "green", "blue"].sort());
    expect(w.warnings).toEqual([
      `${dir}: skipping 1 file(s) that are not images in class folders (expected .png, .jpg, .jpeg, .webp), e.g. ${join(dir, "red", "notes.txt")}`,
    ]);
    // Classes interleaved: blue, green, red, blue, ...
    expect(Array.from(s.train.labels.subarray(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
    // The first training image is blue's first file not held out; its stored pixels are fitImage's.
    const again = await loadData(dir, { imageSize: 16 });
    expect(again.test.labels).toEqual(s.test.labels);
    expect(again.train.images).toEqual(s.train.images);
    const stored = s.train.images.subarray(0, 3 * 256);
    const candidates = await Promise.all(
      paths.filter((p) => p.includes("/blue/")).map(async (p) => fitImage(await decodeImageFile(p), 3, 16)),
    );
    expect(candidates.some((c) => c.every((v, i) => v === stored[i]))).toBe(true);
  });

  it("uses train/ + val/ when present, and follows the data's channels unless told", async () => {
    const dir = join(root, "split");
    await writeClassFolders(join(dir, "train"), { classes: ["a", "b"], perClass: 4, grey: true });
    await writeClassFolders(join(dir, "val"), { classes: ["a", "b"], perClass: 2, grey: true, seed: 2 });
    const s = await loadData(dir, { imageSize: 16 });
    expect(s).toMatchObject({ channels: 1, classNames: ["a", "b"], train: { count: 8 }, test: { count: 4 } });
    expect((await loadData(dir, { imageSize: 16, channels: 3 })).train.channels).toBe(3);
  });

  it("warns about mixed grey and colour images and images smaller than the size", async () => {
    const dir = join(root, "mixed");
    await writeClassFolders(dir, { classes: ["a", "b"], perClass: 3 });
    await writeImage(join(dir, "a", "grey.png"), classImage(new Rng(1), 0, 12, 10), 12, 10, { grey: true });
    const w = collect();
    const s = await loadData(dir, { imageSize: 16, valFraction: 0, ...w });
    expect(s.channels).toBe(3);
    expect(w.warnings).toEqual([
      `${dir}: mixed grey and colour images (1 grey, 6 colour); storing 3 channel(s), converting the others, e.g. ${join(dir, "a", "grey.png")}`,
      `${dir}: 1 image(s) smaller than --image-size 16 on their shorter side, e.g. ${join(dir, "a", "grey.png")} (12x10); they are upscaled`,
    ]);
  });

  it("names a file that is not an image and a corrupt JPEG", async () => {
    const dir = join(root, "bad");
    await writeClassFolders(dir, { classes: ["a", "b"], perClass: 2, format: "jpeg" });
    await writeFile(join(dir, "a", "fake.png"), "hello");
    await expect(loadData(dir, { imageSize: 16 })).rejects.toThrow(
      `${join(dir, "a", "fake.png")}: not a readable image (`,
    );
    await writeFile(join(dir, "a", "fake.png"), await readFile(join(dir, "a", "000.jpg")));
    const jpeg = await readFile(join(dir, "b", "001.jpg"));
    await writeFile(join(dir, "b", "001.jpg"), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const error = await loadData(dir, { imageSize: 16 }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${join(dir, "b", "001.jpg")}: not a readable image \\([^\n]+\\); expected a PNG, JPEG or WebP file$`,
      ),
    );
  });

  it("refuses a data set that does not fit, naming the count, the stored size and the bytes needed", async () => {
    const dir = join(root, "big");
    await writeClassFolders(dir, { classes: ["a", "b"], perClass: 3 });
    await expect(loadData(dir, { imageSize: 100, maxBytes: 100_000 })).rejects.toThrow(
      `${dir}: 6 images stored at 3x100x100 (30000 bytes each) need 180006 bytes, more than the 100000 bytes allowed`,
    );
  });
});

describe("CIFAR-10 binary files", async () => {
  const root = await tempDir();
  const record = (label: number, value: number) => {
    const r = new Uint8Array(3073).fill(value);
    r[0] = label;
    return r;
  };
  const write = async (
    dir: string,
    perFile: number,
    extra: (name: string) => Uint8Array | null = () => null,
  ) => {
    await mkdir(dir, { recursive: true });
    const names = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat("test_batch.bin");
    for (const [f, name] of names.entries()) {
      const bytes = new Uint8Array(perFile * 3073);
      for (let i = 0; i < perFile; i++) bytes.set(record((f + i) % 10, 10 * f + i), i * 3073);
      await writeFile(join(dir, name), extra(name) ?? bytes);
    }
    await writeFile(
      join(dir, "batches.meta.txt"),
      "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n",
    );
  };

  it("reads the five training files and the test file, with the meta file's class names", async () => {
    const dir = join(root, "ok", "cifar-10-batches-bin");
    await write(dir, 2);
    const s = await loadData(join(root, "ok"));
    expect(describeSplits(s)).toBe(
      `CIFAR-10 binary ${dir}: 10 classes (airplane 1, automobile 2, bird 2, cat 2, deer 2, dog 1, ... 4 more), 10 train / 2 test images, 3x32x32`,
    );
    expect(Array.from(s.train.labels)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5]);
    expect(s.train.images[3072 * 3]).toBe(11);
    const grey = await loadData(join(root, "ok"), { channels: 1, imageSize: 16 });
    expect(grey.train).toMatchObject({ channels: 1, rows: 16, cols: 16 });
  });

  it("names a file of the wrong length and a label outside the classes", async () => {
    const dir = join(root, "short");
    await write(dir, 2, (n) => (n === "data_batch_3.bin" ? new Uint8Array(3073 + 5) : null));
    await expect(loadData(dir)).rejects.toThrow(
      "data_batch_3.bin: 3078 bytes, expected a multiple of 3073 (records of 1 label byte + 3x32x32 pixels",
    );
    const bad = join(root, "label");
    await write(bad, 1, (n) => (n === "test_batch.bin" ? record(12, 0) : null));
    await expect(loadData(bad)).rejects.toThrow(
      "test_batch.bin: label 12 at example 0, expected a class index below 10",
    );
  });
});
