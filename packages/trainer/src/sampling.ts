/**
 * Deterministic randomness for training runs: the per-epoch shuffle seed, derived from (seed, epoch)
 * so that a resumed run redraws the same order, and fixed pseudo-random subsets for `trainLimit` /
 * `testLimit` (the project's Fashion-MNIST split is ordered by class, so "the first n" would be one class).
 */
import type { Dataset } from "@resnet-ts/data";
import { Rng } from "@resnet-ts/tensor";

/** A 32-bit mix of two integers (murmur3's finaliser over a golden-ratio combination). */
function mix(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of epoch `epoch`'s (0-based) shuffle: a pure function of the run's seed and the epoch. */
export function epochShuffleSeed(seed: number, epoch: number): number {
  return mix(seed, epoch);
}

/** Seeds of the `trainLimit` / `testLimit` subsets: fixed, so every run and seed sees the same examples. */
export const SUBSET_SEEDS = Object.freeze({ train: 0x7261696e, test: 0x74657374 });

/**
 * `n` examples of `ds` drawn without replacement by a shuffle seeded with `seed`, kept in file order
 * (a copy). Returns `ds` itself when `n` is not smaller than its count.
 */
export function sampleSubset(ds: Dataset, n: number, seed: number): Dataset {
  if (!Number.isInteger(n) || n < 1) throw new Error(`sampleSubset: n must be an integer >= 1, got ${n}`);
  if (n >= ds.count) return ds;
  const order = new Uint32Array(ds.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  new Rng(seed).shuffle(order);
  const chosen = order.subarray(0, n).sort();
  const pixels = ds.rows * ds.cols;
  const images = new Uint8Array(n * pixels);
  const labels = new Uint8Array(n);
  chosen.forEach((index, k) => {
    images.set(ds.images.subarray(index * pixels, (index + 1) * pixels), k * pixels);
    labels[k] = ds.labels[index]!;
  });
  return { images, labels, count: n, rows: ds.rows, cols: ds.cols };
}
