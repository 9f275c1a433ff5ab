import { cifarResnet } from "@resnet-ts/layers";
import { describe, expect, it } from "vitest";
import { trainForComparison } from "../src/index.js";
import { tinyDataset } from "./tiny.js";

const options = { steps: 6, batchSize: 4, lr: 0.05, seed: 3, recordEvery: 2 };
const net = (plain: boolean) => cifarResnet({ n: 1, widths: [2, 4, 4], plain, seed: 1 });

describe("trainForComparison", () => {
  it("trains a fixed budget in a seeded order and records stage gradient norms", async () => {
    const data = tinyDataset(24, 5);
    const norms: number[][] = [];
    const a = await trainForComparison(net(false), data, {
      ...options,
      onNorms: (_s, means) => void norms.push(means),
    });
    const b = await trainForComparison(net(false), data, options);
    expect(a.losses).toHaveLength(6);
    expect(a.losses).toEqual(b.losses);
    expect(a.losses.every(Number.isFinite)).toBe(true);
    expect(norms).toHaveLength(3);
    expect(a.stages.length).toBe(a.gradNorms.length);
    expect(a.gradNorms.every((g) => g >= 0 && Number.isFinite(g))).toBe(true);
    const plain = await trainForComparison(net(true), data, options);
    expect(plain.losses).not.toEqual(a.losses);
  });

  it("stops when onStep asks, and refuses a data set smaller than a batch", async () => {
    const run = await trainForComparison(net(false), tinyDataset(24, 5), {
      ...options,
      onStep: (step) => (step === 2 ? "stop" : undefined),
    });
    expect(run.stopped).toBe(true);
    expect(run.losses).toHaveLength(2);
    await expect(
      trainForComparison(net(false), tinyDataset(24, 5), { ...options, batchSize: 10_000 }),
    ).rejects.toThrow(/cannot make one batch of 10000/);
  });
});
