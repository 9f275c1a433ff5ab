/** conv2d: forward against hand-computed values and tfjs; gradients against finite differences and tf.grads. */
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, conv2d, fromArray } from "../src/index.js";
import { analyticGrads, expectClose, input, normalValues, numericGrads } from "./helpers.js";
import { hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio, tf, tfGrads, tfValues, useTfCpu } from "./oracle.js";

beforeAll(useTfCpu);

interface ConvCase {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: [number, number];
  pad: [number, number];
  bias: boolean;
}

const cases: ConvCase[] = [
  { x: [2, 3, 7, 7], w: [4, 3, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
  { x: [1, 3, 8, 6], w: [5, 3, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
  { x: [2, 2, 9, 9], w: [3, 2, 7, 7], stride: [2, 2], pad: [3, 3], bias: true },
  { x: [2, 4, 6, 5], w: [6, 4, 1, 1], stride: [2, 2], pad: [0, 0], bias: false },
  { x: [1, 1, 5, 7], w: [2, 1, 3, 3], stride: [1, 1], pad: [0, 0], bias: true },
  { x: [1, 2, 6, 7], w: [2, 2, 3, 2], stride: [1, 2], pad: [0, 1], bias: false },
  { x: [1, 1, 4, 4], w: [1, 1, 3, 3], stride: [2, 2], pad: [3, 3], bias: true },
];

const label = (c: ConvCase) =>
  `x ${c.x} w ${c.w} stride ${c.stride} pad ${c.pad}${c.bias ? " +bias" : ""}`.replaceAll(",", "x");

/** The same convolution in tfjs, NHWC / HWIO, explicit symmetric padding. */
function tfConv(c: ConvCase, x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [c.pad[0], c.pad[0]],
    [c.pad[1], c.pad[1]],
    [0, 0],
  ];
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, pad);
  return b ? tf.add(y, b) : y;
}

function makeCase(c: ConvCase, seed: number) {
  const rng = new Rng(seed);
  const xv = normalValues(
    c.x.reduce((a, b) => a * b),
    rng,
  );
  const wv = normalValues(
    c.w.reduce((a, b) => a * b),
    rng,
    0.5,
  );
  const bv = normalValues(c.w[0], rng);
  return { xv, wv, bv };
}

describe("conv2d forward", () => {
  it("matches hand-computed values: 2x2 diagonal filter with bias, no padding", () => {
    const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = fromArray([1, 0, 0, 1], [1, 1, 2, 2]);
    const y = conv2d(x, w, fromArray([0.5]));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([6.5, 8.5, 12.5, 14.5]);
  });

  it("matches hand-computed values: 3x3 ones, stride 2, padding 1 (zero padding)", () => {
    const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const y = conv2d(x, fromArray(new Array(9).fill(1), [1, 1, 3, 3]), null, { stride: 2, padding: 1 });
    expect(Array.from(y.dataSync())).toEqual([12, 16, 24, 28]);
  });

  it("matches hand-computed values: two input channels, two output channels, 1x1", () => {
    const x = fromArray([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
    const w = fromArray([1, 1, 2, -1], [2, 2, 1, 1]);
    const y = conv2d(x, w, fromArray([0, 100]));
    expect(Array.from(y.dataSync())).toEqual([11, 22, 33, 44, 92, 84, 76, 68]);
  });

  for (const [i, c] of cases.entries()) {
    it(`matches tfjs: ${label(c)}`, () => {
      const { xv, wv, bv } = makeCase(c, 100 + i);
      const y = conv2d(fromArray(xv, c.x), fromArray(wv, c.w), c.bias ? fromArray(bv) : null, {
        stride: c.stride,
        padding: c.pad,
      });
      const [n, , h, w] = c.x;
      const oh = Math.floor((h + 2 * c.pad[0] - c.w[2]) / c.stride[0]) + 1;
      const ow = Math.floor((w + 2 * c.pad[1] - c.w[3]) / c.stride[1]) + 1;
      expect(y.shape).toEqual([n, c.w[0], oh, ow]);
      const expected = tfValues(() =>
        tfConv(
          c,
          tf.tensor4d(nchwToNhwc(xv, c.x), [n, h, w, c.x[1]]),
          tf.tensor4d(oihwToHwio(wv, c.w), [c.w[2], c.w[3], c.w[1], c.w[0]]),
          c.bias ? tf.tensor1d(bv) : undefined,
        ),
      );
      expectClose(y.dataSync(), nhwcToNchw(expected, y.shape), { rtol: 1e-4, atol: 1e-5 });
    });
  }
});

describe("conv2d gradients", () => {
  for (const [i, c] of cases.entries()) {
    it(`match tf.grads: ${label(c)}`, () => {
      const { xv, wv, bv } = makeCase(c, 200 + i);
      const f = ([x, w, b]: import("../src/index.js").Tensor[]) =>
        conv2d(x!, w!, b ?? null, { stride: c.stride, padding: c.pad });
      const inputs = [input(c.x, xv), input(c.w, wv), ...(c.bias ? [input([c.w[0]], bv)] : [])];
      const probe = f(inputs.map((t) => fromArray(t.values, t.shape)));
      const dy = normalValues(probe.size, new Rng(300 + i));
      const ours = analyticGrads(f, inputs, dy);

      const [n, , h, w] = c.x;
      const [oN, oC, oH, oW] = probe.shape as [number, number, number, number];
      const theirs = tfGrads(
        (x, w, b) => tfConv(c, x!, w!, b),
        [
          { shape: [n, h, w, c.x[1]], values: nchwToNhwc(xv, c.x) },
          { shape: [c.w[2], c.w[3], c.w[1], c.w[0]], values: oihwToHwio(wv, c.w) },
          ...(c.bias ? [{ shape: [c.w[0]], values: bv }] : []),
        ],
        { shape: [oN, oH, oW, oC], values: nchwToNhwc(dy, probe.shape) },
      );
      const tol = { rtol: 1e-4, atol: 1e-4 };
      expectClose(ours[0]!, nhwcToNchw(theirs[0]!, c.x), tol, "dx");
      expectClose(ours[1]!, hwioToOihw(theirs[1]!, c.w), tol, "dw");
      if (c.bias) expectClose(ours[2]!, theirs[2]!, tol, "db");
    });
  }

  for (const c of [cases[1]!, cases[5]!, { ...cases[2]!, x: [1, 1, 6, 5], w: [2, 1, 7, 7] } as ConvCase]) {
    it(`match central finite differences: ${label(c)}`, () => {
      const { xv, wv, bv } = makeCase(c, 400);
      const f = ([x, w, b]: import("../src/index.js").Tensor[]) =>
        conv2d(x!, w!, b ?? null, { stride: c.stride, padding: c.pad });
      const inputs = [input(c.x, xv), input(c.w, wv), ...(c.bias ? [input([c.w[0]], bv)] : [])];
      const size = f(inputs.map((t) => fromArray(t.values, t.shape))).size;
      const dy = normalValues(size, new Rng(401));
      const ours = analyticGrads(f, inputs, dy);
      const numeric = numericGrads(f, inputs, dy);
      for (const [k, g] of ours.entries())
        expectClose(g, numeric[k]!, { rtol: 1e-3, atol: 1e-3 }, `input ${k}`);
    });
  }
});
