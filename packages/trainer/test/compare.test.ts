import { cifarResnet } from "@resnet-ts/layers";
import { describe, expect, it } from "vitest";
import { studyNet, trainForComparison, trainVariant } from "../src/index.js";
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

describe("trainVariant", () => {
  const variant = { block: "basic", arrangement: "original", plain: false } as const;
  const run = (extra: Partial<Parameters<typeof trainVariant>[1]> = {}) =>
    trainVariant(tinyDataset(24, 5), { ...options, variant, depth: 1, widths: [2, 4, 4], ...extra });

  it("builds the study net with the seed, trains it as trainForComparison does, and evaluates it", async () => {
    const built: unknown[] = [];
    const r = await run({ test: tinyDataset(12, 6), onBuilt: (net) => void built.push(net) });
    const same = await trainForComparison(
      studyNet(variant, 1, [2, 4, 4], options.seed).model,
      tinyDataset(24, 5),
      options,
    );
    expect(r.losses).toEqual(same.losses);
    expect(r.gradNorms).toEqual(same.gradNorms);
    expect(built).toEqual([{ variant: "original", layers: r.layers, parameters: r.parameters }]);
    expect(r.layers).toBe(8);
    expect(r.lowerGradNorm).toBe(r.gradNorms[r.stages.indexOf("1")]);
    expect(r.lowerGradNorm).toBeGreaterThan(0);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.testAccuracy).toBeLessThanOrEqual(1);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    expect(r.stopped).toBe(false);
  });

  it("leaves the test set alone without one or when stopped, names the run when it diverges", async () => {
    expect((await run()).testAccuracy).toBeNull();
    const stopped = await run({
      test: tinyDataset(12, 6),
      onStep: (step) => (step === 1 ? "stop" : undefined),
    });
    expect(stopped).toMatchObject({ stopped: true, testAccuracy: null });
    await expect(run({ variant: { ...variant, plain: true }, lr: 1e30 })).rejects.toThrow(
      /^compare: plain depth 1 seed 3 diverged \(loss (NaN|-?Infinity)\) at step \d+$/,
    );
  });
});
