/**
 * Deterministic randomness for training runs: the per-epoch shuffle seed, derived from (seed, epoch)
 * so that a resumed run redraws the same order.
 */

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
