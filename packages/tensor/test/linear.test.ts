/**
 * matmul (every transpose combination), biasAdd, channelSum, the elementwise ops and the reductions:
 * forward against hand-computed values and tfjs, gradients against finite differences and tf.grads.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  Rng,
  type Tensor,
  add,
  biasAdd,
  channelSum,
  flatten,
  fromArray,
  matmul,
  mean,
  mul,
  relu,
  reshape,
  scale,
  sub,
  sum,
} from "../src/index.js";
import { analyticGrads, distinctValues, expectClose, input, normalValues, numericGrads } from "./helpers.js";
import { tf, tfGrads, useTfCpu } from "./oracle.js";

beforeAll(useTfCpu);

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Checks one differentiable expression: forward against tfjs, gradients of every input against
 * tf.grads and central finite differences. Inputs use the same (row-major) layout in both libraries.
 */
function checkAgainstTf(
  ours: (xs: Tensor[]) => Tensor,
  theirs: (...xs: tf.Tensor[]) => tf.Tensor,
  shapes: readonly (readonly number[])[],
  {
    seed = 1,
    values = normalValues,
    rtol = 1e-5,
  }: { seed?: number; values?: typeof normalValues; rtol?: number } = {},
): void {
  const rng = new Rng(seed);
  const inputs = shapes.map((s) => input(s, values(size(s), rng)));
  const y = ours(inputs.map((x) => fromArray(x.values, x.shape)));
  const expected = tf.tidy(() => theirs(...inputs.map((x) => tf.tensor(x.values, [...x.shape]))));
  expect(y.shape).toEqual(expected.shape);
  expectClose(y.dataSync(), expected.dataSync(), { rtol, atol: 1e-6 }, "forward");
  expected.dispose();
  const dy = normalValues(y.size, rng);
  const grads = analyticGrads(ours, inputs, dy);
  const tfG = tfGrads(theirs, inputs, { shape: y.shape, values: dy });
  const numeric = numericGrads(ours, inputs, dy);
  grads.forEach((g, k) => {
    expectClose(g, tfG[k]!, { rtol: 1e-5, atol: 1e-5 }, `input ${k} vs tf.grads`);
    expectClose(g, numeric[k]!, { rtol: 1e-3, atol: 1e-3 }, `input ${k} vs finite differences`);
  });
}

describe("matmul", () => {
  it("matches hand-computed products in every transpose combination", () => {
    const a = fromArray([1, 2, 3, 4], [2, 2]);
    const b = fromArray([5, 6, 7, 8], [2, 2]);
    expect(Array.from(matmul(a, b).dataSync())).toEqual([19, 22, 43, 50]);
    expect(Array.from(matmul(a, b, { transposeA: true }).dataSync())).toEqual([26, 30, 38, 44]);
    expect(Array.from(matmul(a, b, { transposeB: true }).dataSync())).toEqual([17, 23, 39, 53]);
    expect(Array.from(matmul(a, b, { transposeA: true, transposeB: true }).dataSync())).toEqual([
      23, 31, 34, 46,
    ]);
  });

  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`matches tfjs, forward and gradients: transposeA ${transposeA}, transposeB ${transposeB}`, () => {
        const [m, k, n] = [3, 5, 4];
        checkAgainstTf(
          ([a, b]) => matmul(a!, b!, { transposeA, transposeB }),
          (a, b) => tf.matMul(a!, b!, transposeA, transposeB),
          [transposeA ? [k, m] : [m, k], transposeB ? [n, k] : [k, n]],
          { seed: Number(transposeA) * 2 + Number(transposeB) },
        );
      });
    }
  }

  it("gives [1,1] for a dot product and handles K = 1 (outer product)", () => {
    expect(Array.from(matmul(fromArray([1, 2, 3], [1, 3]), fromArray([4, 5, 6], [3, 1])).dataSync())).toEqual(
      [32],
    );
    expect(Array.from(matmul(fromArray([1, 2], [2, 1]), fromArray([3, 4], [1, 2])).dataSync())).toEqual([
      3, 4, 6, 8,
    ]);
  });
});

describe("biasAdd and channelSum", () => {
  it("match hand-computed values", () => {
    const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    expect(Array.from(biasAdd(x, fromArray([10, 20])).dataSync())).toEqual([11, 12, 23, 24, 15, 16, 27, 28]);
    expect(Array.from(channelSum(x).dataSync())).toEqual([1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
    expect(Array.from(channelSum(fromArray([1, 2, 3, 4, 5, 6], [3, 2])).dataSync())).toEqual([9, 12]);
  });

  for (const shape of [
    [2, 3, 4, 5],
    [4, 3],
  ]) {
    it(`biasAdd matches tfjs for [${shape}], forward and gradients`, () => {
      const perChannel = shape.map((d, i) => (i === 1 ? d : 1));
      checkAgainstTf(
        ([x, b]) => biasAdd(x!, b!),
        (x, b) => tf.add(x!, b!.reshape(perChannel)),
        [shape, [3]],
      );
    });

    it(`channelSum matches tfjs for [${shape}], forward and gradients`, () => {
      const axes = shape.map((_, i) => i).filter((i) => i !== 1);
      checkAgainstTf(
        ([x]) => channelSum(x!),
        (x) => tf.sum(x!, axes),
        [shape],
        { rtol: 1e-5 },
      );
    });
  }
});

describe("elementwise ops", () => {
  it("match hand-computed values", () => {
    const a = fromArray([1, -2, 3, -4]);
    const b = fromArray([0.5, 0.5, -1, 2]);
    expect(Array.from(add(a, b).dataSync())).toEqual([1.5, -1.5, 2, -2]);
    expect(Array.from(sub(a, b).dataSync())).toEqual([0.5, -2.5, 4, -6]);
    expect(Array.from(mul(a, b).dataSync())).toEqual([0.5, -1, -3, -8]);
    expect(Array.from(scale(a, -0.5).dataSync())).toEqual([-0.5, 1, -1.5, 2]);
    expect(Array.from(relu(a).dataSync())).toEqual([1, 0, 3, 0]);
    expect(Array.from(relu(fromArray([0, -0, 1e-30])).dataSync())).toEqual([0, 0, Math.fround(1e-30)]);
    expect(relu(fromArray([Number.NaN])).item()).toBeNaN();
  });

  const shape = [2, 3, 4];
  it("add matches tfjs", () =>
    checkAgainstTf(
      ([a, b]) => add(a!, b!),
      (a, b) => tf.add(a!, b!),
      [shape, shape],
    ));
  it("sub matches tfjs", () =>
    checkAgainstTf(
      ([a, b]) => sub(a!, b!),
      (a, b) => tf.sub(a!, b!),
      [shape, shape],
    ));
  it("mul matches tfjs", () =>
    checkAgainstTf(
      ([a, b]) => mul(a!, b!),
      (a, b) => tf.mul(a!, b!),
      [shape, shape],
    ));
  it("scale matches tfjs", () =>
    checkAgainstTf(
      ([x]) => scale(x!, -1.75),
      (x) => tf.mul(x!, -1.75),
      [shape],
    ));
  it("relu matches tfjs (no value near the kink)", () =>
    checkAgainstTf(
      ([x]) => relu(x!),
      (x) => tf.relu(x!),
      [shape],
      { values: distinctValues },
    ));
});

describe("reductions", () => {
  it("sum and mean match hand-computed values and return shape []", () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(sum(x).shape).toEqual([]);
    expect(sum(x).item()).toBe(21);
    expect(mean(x).item()).toBe(3.5);
  });

  it("sum matches tfjs", () =>
    checkAgainstTf(
      ([x]) => sum(x!),
      (x) => tf.sum(x!),
      [[3, 4, 5]],
    ));
  it("mean matches tfjs", () =>
    checkAgainstTf(
      ([x]) => mean(x!),
      (x) => tf.mean(x!),
      [[3, 4, 5]],
    ));

  it("sum accumulates 2^20 float32 values without visible drift", () => {
    const n = 1 << 20;
    expect(sum(fromArray(new Float32Array(n).fill(0.1))).item()).toBeCloseTo(n * Math.fround(0.1), 0);
  });
});

describe("reshape and flatten", () => {
  it("reshape matches tf.reshape, forward and gradients", () =>
    checkAgainstTf(
      ([x]) => reshape(x!, [4, -1]),
      (x) => tf.reshape(x!, [4, -1]),
      [[2, 3, 2, 2]],
    ));
  it("flatten matches tf.reshape to [N, -1], forward and gradients", () =>
    checkAgainstTf(
      ([x]) => flatten(x!),
      (x) => tf.reshape(x!, [2, -1]),
      [[2, 3, 2, 2]],
    ));
});

it("sum of an expression built from every op has a gradient matching tf.grads", () => {
  checkAgainstTf(
    ([x, w, b]) => relu(biasAdd(matmul(x!, w!), b!)),
    (x, w, b) => tf.relu(tf.add(tf.matMul(x!, w!), b!)),
    [[4, 6], [6, 3], [3]],
    { seed: 9 },
  );
});
