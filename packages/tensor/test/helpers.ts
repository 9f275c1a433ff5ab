/**
 * Test helpers: random inputs, a closeness check that reports the worst element, and gradients by
 * autograd and by central finite differences. The tfjs oracle is in oracle.ts.
 */
import { type Rng, type Tensor, fromArray, mul, noGrad, sum, tidy } from "../src/index.js";

export function normalValues(n: number, rng: Rng, std = 1): Float32Array {
  return Float32Array.from({ length: n }, () => std * rng.normal());
}

/**
 * Values in random order, at least `gap` apart and at least `gap / 2` away from zero (no ties for
 * max pool, no ReLU kinks within a finite-difference step).
 */
export function distinctValues(n: number, rng: Rng, gap = 0.1): Float32Array {
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2 + 0.5) * gap);
  return rng.shuffle(v);
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/**
 * Throws unless |actual - expected| <= atol + rtol * |expected| everywhere (and the lengths agree);
 * the message names the worst element.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: Tolerance = {},
  label = "values",
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: got ${actual.length} values, expected ${expected.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (Number.isNaN(a) !== Number.isNaN(e) || excess > worstExcess) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

export interface Input {
  shape: readonly number[];
  values: Float32Array;
}

export const input = (shape: readonly number[], values: Float32Array): Input => ({ shape, values });

/** Weighted sum of `f`'s output, sum(f(x) * weights), accumulated in float64 on the host. */
function weightedOutput(
  f: (xs: Tensor[]) => Tensor,
  inputs: readonly Input[],
  weights: ArrayLike<number>,
): number {
  return noGrad(() =>
    tidy(() => {
      const y = f(inputs.map((x) => fromArray(x.values, x.shape))).dataSync();
      if (y.length !== weights.length)
        throw new Error(`weightedOutput: ${y.length} outputs, ${weights.length} weights`);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i]! * weights[i]!;
      return s;
    }),
  );
}

/** d sum(f(x) * weights) / dx for each input, by central differences with step `h`. */
export function numericGrads(
  f: (xs: Tensor[]) => Tensor,
  inputs: readonly Input[],
  weights: ArrayLike<number>,
  h = 1e-2,
): Float64Array[] {
  return inputs.map((x, k) => {
    const g = new Float64Array(x.values.length);
    for (let i = 0; i < g.length; i++) {
      const at = (delta: number) => {
        const values = x.values.slice();
        values[i] = x.values[i]! + delta;
        return weightedOutput(
          f,
          inputs.map((y, j) => (j === k ? { shape: y.shape, values } : y)),
          weights,
        );
      };
      g[i] = (at(h) - at(-h)) / (2 * h);
    }
    return g;
  });
}

/** The same gradients by autograd: backward of sum(f(x) * weights). */
export function analyticGrads(
  f: (xs: Tensor[]) => Tensor,
  inputs: readonly Input[],
  weights: ArrayLike<number>,
): Float32Array[] {
  const leaves = inputs.map((x) => fromArray(x.values, x.shape).requireGrad());
  tidy(() => {
    const y = f(leaves);
    sum(mul(y, fromArray(weights, y.shape))).backward();
  });
  return leaves.map((t, i) => {
    if (!t.grad) throw new Error(`analyticGrads: input ${i} got no gradient`);
    const g = t.grad.dataSync();
    t.zeroGrad();
    t.dispose();
    return g;
  });
}
