import { describe, expect, it } from "vitest";
import { epochShuffleSeed, sampleSubset } from "../src/index.js";

/** 100 examples ordered by class (like the project's Fashion-MNIST split): label = floor(i / 10). */
const byClass = {
  images: Uint8Array.from({ length: 100 * 4 }, (_, i) => Math.floor(i / 4)),
  labels: Uint8Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)),
  count: 100,
  rows: 2,
  cols: 2,
};

describe("sampling", () => {
  it("draws a fixed subset, in file order, across the classes", () => {
    const a = sampleSubset(byClass, 30, 7);
    expect(sampleSubset(byClass, 30, 7)).toEqual(a);
    expect(a.count).toBe(30);
    const indices = Array.from({ length: 30 }, (_, k) => a.images[k * 4]!);
    expect(new Set(indices).size).toBe(30);
    expect([...indices].sort((x, y) => x - y)).toEqual(indices);
    indices.forEach((index, k) => {
      expect(a.labels[k]).toBe(byClass.labels[index]);
    });
    expect(new Set(a.labels).size).toBeGreaterThanOrEqual(8);
    expect(sampleSubset(byClass, 30, 8)).not.toEqual(a);
    expect(sampleSubset(byClass, 100, 7)).toBe(byClass);
    expect(() => sampleSubset(byClass, 0, 7)).toThrow("sampleSubset: n must be an integer >= 1, got 0");
  });

  it("derives each epoch's shuffle seed from (seed, epoch) alone", () => {
    const seeds = Array.from({ length: 5 }, (_, e) => epochShuffleSeed(3, e));
    expect(new Set(seeds).size).toBe(5);
    expect(epochShuffleSeed(3, 2)).toBe(seeds[2]);
    expect(epochShuffleSeed(4, 2)).not.toBe(seeds[2]);
    seeds.forEach((s) => {
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    });
  });
});
