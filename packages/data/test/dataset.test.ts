import { describe, expect, it } from "vitest";
import { CLASS_NAMES, assertDataset, takeFirst } from "../src/index.js";
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
});
