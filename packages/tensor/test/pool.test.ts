/**
 * Max pool (PyTorch pads with -Infinity; ties send the gradient to the first maximum) and adaptive
 * average pool (PyTorch's floor/ceil windows), forward and gradients.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, type Tensor, adaptiveAvgPool2d, fromArray, maxPool2d, ones, sum } from "../src/index.js";
import { analyticGrads, distinctValues, expectClose, input, normalValues, numericGrads } from "./helpers.js";
import { nchwToNhwc, nhwcToNchw, tf, tfGrads, tfValues, useTfCpu } from "./oracle.js";

beforeAll(useTfCpu);

type Pair = [number, number];
interface PoolCase {
  x: [number, number, number, number];
  kernel: Pair;
  stride: Pair;
  pad: Pair;
}

const poolCases: PoolCase[] = [
  { x: [2, 3, 8, 8], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
  { x: [1, 2, 7, 5], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
  { x: [2, 2, 6, 6], kernel: [2, 2], stride: [2, 2], pad: [0, 0] },
  { x: [1, 2, 6, 7], kernel: [3, 2], stride: [2, 1], pad: [1, 0] },
  { x: [1, 1, 3, 3], kernel: [3, 3], stride: [1, 1], pad: [1, 1] },
];

const label = (c: PoolCase) =>
  `x ${c.x} kernel ${c.kernel} stride ${c.stride} pad ${c.pad}`.replaceAll(",", "x");

/** tfjs max pool in NHWC with explicit symmetric padding (tfjs skips padded cells, i.e. -Infinity). */
function tfMaxPool(c: PoolCase, x: tf.Tensor): tf.Tensor {
  return tf.maxPool(x as tf.Tensor4D, c.kernel, c.stride, [
    [0, 0],
    [c.pad[0], c.pad[0]],
    [c.pad[1], c.pad[1]],
    [0, 0],
  ]);
}

const nhwc = ([n, c, h, w]: readonly number[]): [number, number, number, number] => [n!, h!, w!, c!];

describe("maxPool2d", () => {
  it("pads with -Infinity: ResNet's 3x3 stride 2 padding 1 on an all-negative 4x4 input", () => {
    const x = fromArray(
      Array.from({ length: 16 }, (_, i) => -(i + 1)),
      [1, 1, 4, 4],
    );
    const y = maxPool2d(x, 3, { stride: 2, padding: 1 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([-1, -2, -5, -6]);
  });

  it("defaults the stride to the kernel size", () => {
    const y = maxPool2d(fromArray([1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 0, 0, 9, 0, 0, 7], [1, 1, 4, 4]), 2);
    expect(Array.from(y.dataSync())).toEqual([5, 8, 9, 7]);
  });

  it("sends each window's gradient to its first maximum on ties (row-major)", () => {
    const x = ones([1, 1, 4, 4]).requireGrad();
    sum(maxPool2d(x, 3, { stride: 2, padding: 1 })).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const z = ones([1, 1, 3, 3]).requireGrad();
    sum(maxPool2d(z, 2, { stride: 1 })).backward();
    expect(Array.from(z.grad!.dataSync())).toEqual([1, 1, 0, 1, 1, 0, 0, 0, 0]);
  });

  for (const [i, c] of poolCases.entries()) {
    it(`forward matches tfjs: ${label(c)}`, () => {
      const xv = normalValues(
        c.x.reduce((a, b) => a * b),
        new Rng(i),
      );
      const y = maxPool2d(fromArray(xv, c.x), c.kernel, { stride: c.stride, padding: c.pad });
      const expected = tfValues(() => tfMaxPool(c, tf.tensor4d(nchwToNhwc(xv, c.x), nhwc(c.x))));
      expectClose(y.dataSync(), nhwcToNchw(expected, y.shape), { rtol: 0, atol: 0 });
    });

    it(`gradient matches tf.grads and finite differences: ${label(c)}`, () => {
      const xv = distinctValues(
        c.x.reduce((a, b) => a * b),
        new Rng(10 + i),
      );
      const f = ([x]: Tensor[]) => maxPool2d(x!, c.kernel, { stride: c.stride, padding: c.pad });
      const inputs = [input(c.x, xv)];
      const outShape = f([fromArray(xv, c.x)]).shape;
      const dy = normalValues(
        outShape.reduce((a, b) => a * b),
        new Rng(20 + i),
      );
      const ours = analyticGrads(f, inputs, dy)[0]!;
      const theirs = tfGrads((x) => tfMaxPool(c, x!), [{ shape: nhwc(c.x), values: nchwToNhwc(xv, c.x) }], {
        shape: nhwc(outShape),
        values: nchwToNhwc(dy, outShape),
      })[0]!;
      expectClose(ours, nhwcToNchw(theirs, c.x), { rtol: 1e-6, atol: 1e-6 }, "vs tf.grads");
      expectClose(
        ours,
        numericGrads(f, inputs, dy, 1e-2)[0]!,
        { rtol: 1e-3, atol: 1e-3 },
        "vs finite differences",
      );
    });
  }
});

/** PyTorch's adaptive average pool in float64, written out from its definition. */
function adaptiveAvgPoolReference(
  x: ArrayLike<number>,
  [n, c, h, w]: readonly number[],
  [oh, ow]: Pair,
): number[] {
  const out: number[] = [];
  for (let plane = 0; plane < n! * c!; plane++) {
    for (let i = 0; i < oh; i++) {
      const r0 = Math.floor((i * h!) / oh);
      const r1 = Math.ceil(((i + 1) * h!) / oh);
      for (let j = 0; j < ow; j++) {
        const c0 = Math.floor((j * w!) / ow);
        const c1 = Math.ceil(((j + 1) * w!) / ow);
        let s = 0;
        for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) s += x[plane * h! * w! + r * w! + q]!;
        out.push(s / ((r1 - r0) * (c1 - c0)));
      }
    }
  }
  return out;
}

describe("adaptiveAvgPool2d", () => {
  it("uses overlapping floor/ceil windows: 5 -> 3 and 2 -> 3 (hand-computed)", () => {
    const y = adaptiveAvgPool2d(fromArray([1, 2, 3, 4, 5], [1, 1, 1, 5]), [1, 3]);
    expectClose(y.dataSync(), [1.5, 3, 4.5]);
    const up = adaptiveAvgPool2d(fromArray([2, 4], [1, 1, 1, 2]), [1, 3]);
    expectClose(up.dataSync(), [2, 3, 4]);
  });

  for (const [shape, out] of [
    [
      [2, 3, 5, 7],
      [3, 4],
    ],
    [
      [1, 2, 7, 7],
      [1, 1],
    ],
    [
      [2, 1, 6, 6],
      [3, 3],
    ],
    [
      [1, 2, 3, 4],
      [5, 6],
    ],
  ] as [number[], Pair][]) {
    it(`forward matches the float64 definition: [${shape}] -> ${out}`, () => {
      const xv = normalValues(
        shape.reduce((a, b) => a * b),
        new Rng(shape[2]!),
      );
      const y = adaptiveAvgPool2d(fromArray(xv, shape), out);
      expect(y.shape).toEqual([shape[0], shape[1], ...out]);
      expectClose(y.dataSync(), adaptiveAvgPoolReference(xv, shape, out), { rtol: 1e-5, atol: 1e-6 });
    });

    it(`gradient matches finite differences: [${shape}] -> ${out}`, () => {
      const xv = normalValues(
        shape.reduce((a, b) => a * b),
        new Rng(shape[3]!),
      );
      const f = ([x]: Tensor[]) => adaptiveAvgPool2d(x!, out);
      const dy = normalValues(shape[0]! * shape[1]! * out[0] * out[1], new Rng(1));
      const inputs = [input(shape, xv)];
      expectClose(analyticGrads(f, inputs, dy)[0]!, numericGrads(f, inputs, dy)[0]!, {
        rtol: 1e-3,
        atol: 1e-3,
      });
    });
  }

  it("global pooling and divisible windows match tf.mean / tf.avgPool, forward and tf.grads", () => {
    const shape = [2, 3, 6, 6];
    const xv = normalValues(216, new Rng(3));
    const xNhwc = { shape: nhwc(shape), values: nchwToNhwc(xv, shape) };
    for (const [out, tfPool] of [
      [[1, 1], (x: tf.Tensor) => tf.mean(x, [1, 2], true)],
      [[3, 3], (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, 2, 2, "valid")],
      [[2, 3], (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, [3, 2], [3, 2], "valid")],
    ] as [Pair, (x: tf.Tensor) => tf.Tensor][]) {
      const outShape = [2, 3, ...out];
      const f = ([x]: Tensor[]) => adaptiveAvgPool2d(x!, out);
      const y = f([fromArray(xv, shape)]);
      const expected = tfValues(() => tfPool(tf.tensor(xNhwc.values, xNhwc.shape)));
      expectClose(y.dataSync(), nhwcToNchw(expected, outShape), { rtol: 1e-5, atol: 1e-6 }, `forward ${out}`);
      const dy = normalValues(y.size, new Rng(4));
      const theirs = tfGrads((x) => tfPool(x!), [xNhwc], {
        shape: nhwc(outShape),
        values: nchwToNhwc(dy, outShape),
      });
      expectClose(
        analyticGrads(f, [input(shape, xv)], dy)[0]!,
        nhwcToNchw(theirs[0]!, shape),
        { rtol: 1e-5, atol: 1e-6 },
        `gradient ${out}`,
      );
    }
  });
});
