import { describe, expect, it } from "vitest";
import { epochShuffleSeed } from "../src/index.js";

describe("sampling", () => {
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
