import { describe, expect, it } from "vitest";
import { CLASS_NAMES, type Channels, assertDataset, assertLabels, takeFirst } from "../src/index.js";
import { synthetic } from "./helpers.js";

describe("CLASS_NAMES", () => {
  it("lists the ten classes in label order", () => {
    expect(CLASS_NAMES).toEqual([
      "T-shirt/top",
      "Trouser",
      "Pullover",
      "Dress",
      "Coat",
      "Sandal",
      "Shirt",
      "Sneaker",
      "Bag",
      "Ankle boot",
    ]);
    expect(Object.isFrozen(CLASS_NAMES)).toBe(true);
  });
});

describe("takeFirst", () => {
  const ds = synthetic(20);

  it("keeps the first n examples in file order", () => {
    const first = takeFirst(ds, 5);
    expect(first).toMatchObject({ count: 5, rows: 4, cols: 3 });
    expect(first.images).toEqual(ds.images.subarray(0, 60));
    expect(Array.from(first.labels)).toEqual([0, 1, 2, 3, 4]);
    assertDataset(first);
  });

  it("keeps everything when n exceeds the count, and rejects n < 1", () => {
    expect(takeFirst(ds, 1000)).toEqual(ds);
    expect(() => takeFirst(ds, 0)).toThrow("takeFirst: n must be an integer >= 1, got 0");
    expect(() => takeFirst(ds, 2.5)).toThrow("takeFirst: n must be an integer >= 1, got 2.5");
  });
});

describe("assertDataset", () => {
  it("names a mismatched array", () => {
    const ds = synthetic(3);
    expect(() => assertDataset({ ...ds, labels: new Uint8Array(2) }, "train")).toThrow(
      "train: 2 labels, expected count = 3",
    );
    expect(() => assertDataset({ ...ds, rows: 0 })).toThrow("dataset: rows 0 must be an integer >= 1");
  });

  it("counts channels in the image bytes and accepts only 1 or 3 of them", () => {
    const ds = synthetic(3);
    expect(() => assertDataset({ ...ds, channels: 3 }, "rgb")).toThrow(
      "rgb: 36 image bytes, expected count*channels*rows*cols = 3*3*4*3 = 108",
    );
    assertDataset({ ...ds, channels: 3, images: new Uint8Array(108) });
    expect(() => assertDataset({ ...ds, channels: 2 as Channels })).toThrow(
      "dataset: channels 2, expected 1 or 3",
    );
  });
});

describe("takeFirst with colour images", () => {
  it("takes whole CHW images", () => {
    const images = Uint8Array.from({ length: 4 * 3 * 2 * 2 }, (_, i) => i);
    const ds = { images, labels: new Uint8Array(4), count: 4, channels: 3 as const, rows: 2, cols: 2 };
    const first = takeFirst(ds, 2);
    expect(first).toMatchObject({ count: 2, channels: 3 });
    expect(Array.from(first.images)).toEqual([...Array(24).keys()]);
  });
});

describe("assertLabels", () => {
  it("names the first label outside the classes", () => {
    assertLabels({ labels: new Uint8Array([0, 2, 1]) }, 3);
    expect(() => assertLabels({ labels: new Uint8Array([0, 3, 4]) }, 3, "data_batch_1.bin")).toThrow(
      "data_batch_1.bin: label 3 at example 1, expected a class index below 3",
    );
  });
});
