import { fromArray, noGrad, Rng, randn } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { Residual, resnet18, summary } from "../src/index.js";

describe("d2l shape checks", () => {
  it("Residual(3,3) keeps a 4x3x6x6 input's shape", () => {
    const blk = new Residual(3, 3);
    const y = blk.forward(randn([4, 3, 6, 6], new Rng(1)));
    expect(y.shape).toEqual([4, 3, 6, 6]);
  });

  it("Residual(3,6,{use1x1conv,strides:2}) gives 4x6x3x3", () => {
    const blk = new Residual(3, 6, { use1x1conv: true, strides: 2 });
    expect(blk.forward(randn([4, 3, 6, 6], new Rng(2))).shape).toEqual([4, 6, 3, 3]);
  });

  it("Residual without a 1x1 conv refuses a channel change", () => {
    expect(() => new Residual(3, 6)).toThrow(/inputChannels \(3\) must equal numChannels \(6\)/);
  });

  it.each([
    [224, [[64, 56, 56], [64, 56, 56], [128, 28, 28], [256, 14, 14], [512, 7, 7], [512, 1, 1], [512], [10]]],
    [96, [[64, 24, 24], [64, 24, 24], [128, 12, 12], [256, 6, 6], [512, 3, 3], [512, 1, 1], [512], [10]]],
    [28, [[64, 7, 7], [64, 7, 7], [128, 4, 4], [256, 2, 2], [512, 1, 1], [512, 1, 1], [512], [10]]],
  ])("stage output shapes for a 1x1xNxN input, N = %i", (size, expected) => {
    const s = summary(resnet18(), [1, 1, size, size]);
    expect(s.layers.map((l) => l.outputShape.slice(1))).toEqual(expected);
    expect(s.layers.map((l) => l.name)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
  });

  it("has 11,178,378 parameters", () => {
    const net = resnet18();
    expect(net.numParameters()).toBe(11_178_378);
    expect(summary(net, [1, 1, 28, 28]).parameters).toBe(11_178_378);
  });

  it("forward in eval mode is deterministic and finite", () => {
    const net = resnet18({ seed: 3 }).eval();
    const x = fromArray(
      new Float32Array(2 * 28 * 28).map((_, i) => (i % 255) / 255),
      [2, 1, 28, 28],
    );
    const a = noGrad(() => net.forward(x).dataSync());
    const b = noGrad(() => net.forward(x).dataSync());
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.every(Number.isFinite)).toBe(true);
  });
});
