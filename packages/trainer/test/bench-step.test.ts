import { fromArray, Rng, tidy } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { benchStep, crossEntropy, median, SGD, timeSteps } from "../src/index.js";
import { tinyModel } from "./tiny.js";

describe("benchStep", () => {
  it("trains the model on one fixed seeded batch: the loss falls, and the same seed repeats it", async () => {
    const losses = async (seed: number) => {
      const { step, dispose } = benchStep(tinyModel(1, 3), {
        batchSize: 8,
        channels: 1,
        side: 6,
        classes: 3,
        seed,
        lr: 0.5,
      });
      try {
        const out: number[] = [];
        for (let i = 0; i < 20; i++) out.push(await step());
        return out;
      } finally {
        dispose();
      }
    };
    const a = await losses(0);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(a.at(-1)!).toBeLessThan(a[0]!);
    expect(await losses(0)).toEqual(a);
    expect((await losses(1))[0]).not.toBe(a[0]);
  });

  it("takes a config's optimizer settings and label smoothing: the same losses as that step written out", async () => {
    const sgd = { momentum: 0.9, nesterov: true, weightDecay: 5e-3 };
    const shape = { batchSize: 8, channels: 1, side: 6, classes: 3, seed: 4, lr: 0.3 };
    const bench = benchStep(tinyModel(1, 3), { ...shape, sgd, labelSmoothing: 0.1 });
    const plain = benchStep(tinyModel(1, 3), shape);
    // The same seeded batch and step, by hand.
    const rng = new Rng(shape.seed);
    const x = fromArray(
      Float32Array.from({ length: 8 * 36 }, () => rng.next()),
      [8, 1, 6, 6],
    );
    const y = fromArray(Float32Array.from({ length: 8 }, () => rng.int(3)));
    const model = tinyModel(1, 3);
    model.train();
    const optimizer = new SGD(model.parameters(), { lr: shape.lr, ...sgd });
    try {
      for (let i = 0; i < 4; i++) {
        const want = tidy(() => {
          const loss = crossEntropy(model.call(x), y, 0.1);
          loss.backward();
          optimizer.step();
          optimizer.zeroGrad();
          return loss.item();
        });
        const plainLoss = await plain.step();
        const got = await bench.step();
        expect(got, `step ${i + 1}`).toBe(want);
        expect(got, `step ${i + 1}`).not.toBe(plainLoss);
      }
    } finally {
      for (const d of [bench, plain]) d.dispose();
      optimizer.dispose();
    }
  });

  it("puts the model in training mode and leaves it undisposed", async () => {
    const model = tinyModel();
    model.eval();
    const { step, dispose } = benchStep(model, { batchSize: 2, channels: 1, side: 6, classes: 3 });
    expect(model.training).toBe(true);
    await step();
    dispose();
    expect(model.parameters().every((p) => !p.isDisposed)).toBe(true);
  });
});

describe("timeSteps", () => {
  it("warms up, then times `steps` runs", async () => {
    let calls = 0;
    const times = await timeSteps(() => calls++, { warmup: 2, steps: 3 });
    expect(calls).toBe(5);
    expect(times).toHaveLength(3);
    expect(times.every((t) => t >= 0)).toBe(true);
  });

  it("awaits an asynchronous step and stops after maxSeconds (timing at least one step)", async () => {
    const sleep = () => new Promise((resolve) => setTimeout(resolve, 20));
    const times = await timeSteps(sleep, { warmup: 0, steps: 100, maxSeconds: 0.05 });
    expect(times.length).toBeGreaterThanOrEqual(1);
    expect(times.length).toBeLessThan(10);
    expect(times[0]).toBeGreaterThanOrEqual(15);
    expect(await timeSteps(sleep, { warmup: 0, steps: 5, maxSeconds: 0 })).toHaveLength(1);
  });
});

describe("median", () => {
  it("takes the middle value of an unsorted list (the upper middle one of an even count)", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(3);
  });
});
