/** The seeded generator: reproducibility, distinct streams, rough moments, state save and restore. */
import { describe, expect, it } from "vitest";
import { Rng, rand, randn } from "../src/index.js";

const moments = (v: ArrayLike<number>) => {
  let s = 0;
  let sq = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  const mean = s / v.length;
  for (let i = 0; i < v.length; i++) sq += (v[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(sq / v.length) };
};

describe("Rng", () => {
  it("is mulberry32: seed 1 gives the generator's well-known first values", () => {
    const rng = new Rng(1);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
  });

  it("gives the same draws for the same seed and different draws for different seeds", () => {
    const a = randn([1000], new Rng(42)).dataSync();
    const b = randn([1000], new Rng(42)).dataSync();
    const c = randn([1000], new Rng(43)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.filter((v, i) => v === c[i]).length).toBeLessThan(5);
  });

  it("randn has about the requested mean and standard deviation", () => {
    const { mean, std } = moments(randn([20000], new Rng(1), { mean: 2, std: 0.5 }).dataSync());
    expect(Math.abs(mean - 2)).toBeLessThan(0.02);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.02);
    const tails = randn([20000], new Rng(2))
      .dataSync()
      .filter((v) => Math.abs(v) > 1.96).length;
    expect(tails / 20000).toBeGreaterThan(0.04);
    expect(tails / 20000).toBeLessThan(0.06);
  });

  it("rand stays in [low, high) with the uniform mean and spread", () => {
    const v = rand([20000], new Rng(3), { low: -1, high: 3 }).dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThan(3);
    const { mean, std } = moments(v);
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(std - 4 / Math.sqrt(12))).toBeLessThan(0.03);
  });

  it("int covers [0, n) evenly and shuffle is a permutation", () => {
    const rng = new Rng(4);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10000; i++) counts[rng.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    const perm = rng.shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(perm).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("resumes exactly from a saved state, also between normal draws", () => {
    const rng = new Rng(5);
    rng.normal();
    const state = rng.getState();
    const after = [rng.normal(), rng.normal(), rng.next(), rng.int(7)];
    const resumed = new Rng(0);
    resumed.setState(state);
    expect([resumed.normal(), resumed.normal(), resumed.next(), resumed.int(7)]).toEqual(after);
  });
});
