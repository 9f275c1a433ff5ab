import { fromArray, noGrad } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { BatchNorm2d } from "../src/index.js";

// x [N=2, C=2, H=1, W=2]; channel 0 values 1,3,5,7; channel 1 values 0,0,2,-2.
const x = () => fromArray([1, 3, 0, 0, 5, 7, 2, -2], [2, 2, 1, 2]);

describe("BatchNorm2d", () => {
  it("training normalises with the biased batch variance and updates running stats with the unbiased one", () => {
    const bn = new BatchNorm2d(2);
    const y = Array.from(bn.forward(x()).dataSync());
    // channel 0: mean 4, biased var 5, unbiased 20/3; channel 1: mean 0, biased var 2, unbiased 8/3
    const n0 = (v: number) => (v - 4) / Math.sqrt(5 + 1e-5);
    const n1 = (v: number) => v / Math.sqrt(2 + 1e-5);
    const expected = [n0(1), n0(3), n1(0), n1(0), n0(5), n0(7), n1(2), n1(-2)];
    for (const [i, v] of y.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    const rm = bn.runningMean.dataSync();
    const rv = bn.runningVar.dataSync();
    expect(rm[0]).toBeCloseTo(0.9 * 0 + 0.1 * 4, 6);
    expect(rm[1]).toBeCloseTo(0, 6);
    expect(rv[0]).toBeCloseTo(0.9 * 1 + 0.1 * (20 / 3), 6);
    expect(rv[1]).toBeCloseTo(0.9 * 1 + 0.1 * (8 / 3), 6);
    expect(bn.numBatchesTracked).toBe(1n);
  });

  it("eval mode uses the running statistics and leaves them and the counter alone", () => {
    const bn = new BatchNorm2d(2);
    bn.runningMean.assign(Float32Array.of(1, -1));
    bn.runningVar.assign(Float32Array.of(4, 9));
    bn.weight.assign(Float32Array.of(2, 1));
    bn.bias.assign(Float32Array.of(0.5, 0));
    bn.eval();
    const y = Array.from(noGrad(() => bn.forward(x())).dataSync());
    const e0 = (v: number) => ((v - 1) / Math.sqrt(4 + 1e-5)) * 2 + 0.5;
    const e1 = (v: number) => (v + 1) / Math.sqrt(9 + 1e-5);
    const expected = [e0(1), e0(3), e1(0), e1(0), e0(5), e0(7), e1(2), e1(-2)];
    for (const [i, v] of y.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    expect(Array.from(bn.runningMean.dataSync())).toEqual([1, -1]);
    expect(bn.numBatchesTracked).toBe(0n);
  });

  it("rejects bad hyperparameters by name", () => {
    expect(() => new BatchNorm2d(0)).toThrow("BatchNorm2d: numFeatures must be an integer >= 1, got 0");
    expect(() => new BatchNorm2d(2, { momentum: Number.NaN })).toThrow(
      /momentum must be in \[0, 1\], got NaN/,
    );
    expect(() => new BatchNorm2d(2).forward(fromArray([1, 2, 3], [1, 3]))).toThrow(
      /weight must have shape \[3\]/,
    );
  });
});
