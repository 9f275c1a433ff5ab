import { readFileSync } from "node:fs";
import { fromArray } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { Residual } from "../src/index.js";

// PyTorch's output for Residual(3, 6, use_1x1conv=True, strides=2) in train mode on closed-form weights
// and input (test/fixtures/make-fixtures.py builds both sides from the same pattern).
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/residual-forward.json", import.meta.url), "utf8"),
) as {
  parameterOrder: string[];
  output: number[];
  outputShape: number[];
  runningMean: number[];
  runningVar: number[];
};

function pattern(shape: readonly number[], scale: number, phase: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => (scale * (((i * 37 + phase) % 101) - 50)) / 50);
}

describe("Residual against PyTorch", () => {
  it("matches the seed block's forward output and running statistics", () => {
    const blk = new Residual(3, 6, { use1x1conv: true, strides: 2 });
    const params = new Map(blk.namedParameters());
    fixture.parameterOrder.forEach((name, idx) => {
      const p = params.get(name)!;
      p.assign(pattern(p.shape, 0.3, idx * 7));
    });
    const y = blk.forward(fromArray(pattern([2, 3, 5, 5], 1, 3), [2, 3, 5, 5]));
    expect(y.shape).toEqual(fixture.outputShape);
    const out = y.dataSync();
    for (const [i, v] of fixture.output.entries()) expect(out[i]).toBeCloseTo(v, 4);
    const rm = blk.bn1.runningMean.dataSync();
    const rv = blk.bn1.runningVar.dataSync();
    for (const [i, v] of fixture.runningMean.entries()) expect(rm[i]).toBeCloseTo(v, 4);
    for (const [i, v] of fixture.runningVar.entries()) expect(rv[i]).toBeCloseTo(v, 4);
  });
});
