/** Bilinear resize with align_corners=False (PyTorch's `interpolate(mode='bilinear')`). */
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, fromArray, resizeBilinear } from "../src/index.js";
import { expectClose } from "./helpers.js";
import { nchwToNhwc, nhwcToNchw, tf, tfValues, useTfCpu } from "./oracle.js";

beforeAll(useTfCpu);

/** The align_corners=False rule in float64, one output cell at a time. */
function resizeReference(x: ArrayLike<number>, [n, c, h, w]: number[], [oh, ow]: [number, number]): number[] {
  const source = (i: number, inSize: number, outSize: number) => {
    const src = Math.max(((i + 0.5) * inSize) / outSize - 0.5, 0);
    const lo = Math.min(Math.floor(src), inSize - 1);
    return { lo, hi: Math.min(lo + 1, inSize - 1), t: src - lo };
  };
  const out: number[] = [];
  for (let p = 0; p < n! * c!; p++) {
    const at = (r: number, q: number) => x[p * h! * w! + r * w! + q]!;
    for (let i = 0; i < oh; i++) {
      const r = source(i, h!, oh);
      for (let j = 0; j < ow; j++) {
        const q = source(j, w!, ow);
        const top = at(r.lo, q.lo) * (1 - q.t) + at(r.lo, q.hi) * q.t;
        const bottom = at(r.hi, q.lo) * (1 - q.t) + at(r.hi, q.hi) * q.t;
        out.push(top * (1 - r.t) + bottom * r.t);
      }
    }
  }
  return out;
}

describe("resizeBilinear", () => {
  it("2x2 -> 4x4 gives PyTorch's values", () => {
    const y = resizeBilinear(fromArray([1, 2, 3, 4], [1, 1, 2, 2]), 4);
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(y.dataSync())).toEqual([
      1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4,
    ]);
  });

  it("same size is the identity; 1x1 input is constant", () => {
    const v = Float32Array.from({ length: 12 }, (_, i) => i * 0.5);
    expect(Array.from(resizeBilinear(fromArray(v, [1, 1, 3, 4]), [3, 4]).dataSync())).toEqual(Array.from(v));
    expect(Array.from(resizeBilinear(fromArray([7], [1, 1, 1, 1]), [2, 3]).dataSync())).toEqual(
      new Array(6).fill(7),
    );
  });

  for (const [shape, size] of [
    [
      [2, 1, 28, 28],
      [96, 96],
    ],
    [
      [1, 3, 5, 7],
      [3, 4],
    ],
    [
      [1, 2, 4, 6],
      [9, 5],
    ],
  ] as [number[], [number, number]][]) {
    it(`[${shape}] -> ${size} matches a float64 reference and tf.image.resizeBilinear(halfPixelCenters)`, () => {
      const rng = new Rng(shape[2]!);
      const v = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.int(256) / 255);
      const y = resizeBilinear(fromArray(v, shape), size);
      expect(y.shape).toEqual([shape[0], shape[1], ...size]);
      expectClose(
        y.dataSync(),
        resizeReference(v, shape, size),
        { rtol: 1e-5, atol: 1e-6 },
        "float64 reference",
      );
      const [n, c, h, w] = shape as [number, number, number, number];
      const expected = tfValues(() =>
        tf.image.resizeBilinear(tf.tensor4d(nchwToNhwc(v, shape), [n, h, w, c]), size, false, true),
      );
      expectClose(y.dataSync(), nhwcToNchw(expected, y.shape), { rtol: 1e-5, atol: 1e-6 }, "tfjs");
    });
  }
});
