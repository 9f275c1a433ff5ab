import { fromArray, getBackend, tidy } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import {
  type BatchEndEvent,
  crossEntropy,
  decodeCheckpoint,
  type EpochEndEvent,
  encodeCheckpoint,
  learningRate,
  NonFiniteLossError,
  resolveConfig,
  Trainer,
  type TrainerOptions,
  type TrainConfigInput,
  train,
} from "../src/index.js";
import { tinyModel, tinySplits } from "./tiny.js";

// 40 examples in batches of 8: 5 steps per epoch. Momentum, weight decay, a cosine schedule and
// shuffling, so that a resume must restore every piece of state to repeat the run.
const RECIPE: TrainConfigInput = {
  epochs: 2,
  batchSize: 8,
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 0.01,
  schedule: "cosine",
  etaMin: 0.01,
  seed: 5,
};

function record(trainer: Trainer) {
  const batches: BatchEndEvent[] = [];
  const epochs: EpochEndEvent[] = [];
  trainer.on("batchEnd", (e) => void batches.push(e));
  trainer.on("epochEnd", (e) => void epochs.push(e));
  return { batches, epochs };
}

/** Runs the recipe straight through. */
async function straightRun(input: TrainConfigInput = RECIPE) {
  const model = tinyModel();
  const trainer = new Trainer(model, tinySplits(), resolveConfig(input), { yieldEvery: 0 });
  const events = record(trainer);
  const end = await trainer.run();
  return { model, trainer, end, ...events };
}

/** A fresh model and trainer continuing from a checkpoint's bytes (weights + training state). */
function resumeFrom(
  bytes: { weights: Uint8Array; trainState: Uint8Array | null },
  options: TrainerOptions = {},
) {
  const checkpoint = decodeCheckpoint(bytes.weights, bytes.trainState);
  const model = tinyModel(99);
  model.loadStateDict(checkpoint.stateDict);
  const trainer = new Trainer(model, tinySplits(), checkpoint.info.config!, {
    ...options,
    yieldEvery: 0,
    resume: checkpoint.training!,
  });
  return { model, trainer, ...record(trainer) };
}

const losses = (events: BatchEndEvent[]) => events.map((e) => e.loss);

describe("Trainer", () => {
  it("learns the tiny task and reports batch and epoch events", async () => {
    const { batches, epochs, end, trainer } = await straightRun({ ...RECIPE, epochs: 3 });
    expect(batches).toHaveLength(15);
    expect(batches.map((b) => b.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(batches[6]).toMatchObject({
      epoch: 2,
      stepInEpoch: 2,
      stepsPerEpoch: 5,
      totalSteps: 15,
      batchSize: 8,
    });
    batches.forEach((b, i) => {
      expect(b.lr).toBe(
        learningRate(trainer.config, { epoch: b.epoch - 1, step: i, totalSteps: 15, stepsPerEpoch: 5 }),
      );
    });
    expect(batches[0]!.lr).toBe(0.1);
    expect(batches.every((b) => b.imagesPerSecond > 0 && b.accuracy >= 0 && b.accuracy <= 1)).toBe(true);
    expect(epochs.map((e) => [e.epoch, e.partial, e.step])).toEqual([
      [1, false, 5],
      [2, false, 10],
      [3, false, 15],
    ]);
    const lastEpochBatches = batches.slice(10);
    expect(epochs[2]!.loss).toBeCloseTo(lastEpochBatches.reduce((s, b) => s + b.loss, 0) / 5, 12);
    expect(epochs[2]!.loss).toBe(lastEpochBatches[4]!.runningLoss);
    expect(epochs[2]!.testAccuracy).toBe(epochs[2]!.evaluation!.accuracy);
    expect(epochs[2]!.evaluation!.examples).toBe(18);
    expect(epochs[2]!.trainAccuracy).toBeGreaterThan(0.6);
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(end).toMatchObject({ reason: "completed", epochsDone: 3, globalStep: 15, lastEpoch: epochs[2] });
  });

  it("frees every intermediate tensor: only momentum buffers stay", async () => {
    const before = getBackend().memory().buffers;
    const { trainer } = await straightRun({ ...RECIPE, epochs: 1 });
    const params = trainer.optimizer.params.length;
    expect(getBackend().memory().buffers - before).toBe(params /* parameters */ + 2 /* BN stats */ + params);
  });

  for (const stopAfter of [3, 5, 7]) {
    it(`resumes a run stopped after step ${stopAfter} with exactly the uninterrupted losses`, async () => {
      const straight = await straightRun();

      const first = new Trainer(tinyModel(), tinySplits(), resolveConfig(RECIPE), { yieldEvery: 0 });
      const firstEvents = record(first);
      first.on("batchEnd", (e) => {
        if (e.step === stopAfter) first.stop();
      });
      const stopped = await first.run();
      expect(stopped).toMatchObject({ reason: "stopped", globalStep: stopAfter });
      const state = first.state();
      const bytes = await encodeCheckpoint(first.model, {
        config: first.config,
        optimizer: first.optimizer,
        progress: state.progress,
      });

      const second = resumeFrom(bytes);
      const end = await second.trainer.run();
      expect(end).toMatchObject({ reason: "completed", globalStep: 10, epochsDone: 2 });
      expect([...losses(firstEvents.batches), ...losses(second.batches)]).toEqual(losses(straight.batches));
      expect(second.model.stateDict()).toEqual(straight.model.stateDict());
      const lastEpoch = (events: EpochEndEvent[]) => {
        const { loss, trainAccuracy, testLoss, testAccuracy } = events.at(-1)!;
        return { loss, trainAccuracy, testLoss, testAccuracy };
      };
      expect(lastEpoch(second.epochs)).toEqual(lastEpoch(straight.epochs));
    });
  }

  it("stops at the steps cap with a partial epoch, and continues past it on resume", async () => {
    const straight = await straightRun();
    const capped = await straightRun({ ...RECIPE, steps: 7 });
    expect(losses(capped.batches)[0]).toBe(losses(straight.batches)[0]);
    expect(capped.end.reason).toBe("steps");
    expect(capped.epochs.map((e) => [e.epoch, e.partial, e.step])).toEqual([
      [1, false, 5],
      [2, true, 7],
    ]);
    // The cap shortens the cosine schedule to 7 steps.
    expect(capped.batches.map((b) => b.totalSteps)).toEqual(new Array(7).fill(7));
    expect(capped.batches.at(-1)!.lr).toBeCloseTo(
      learningRate(capped.trainer.config, { epoch: 1, step: 6, totalSteps: 7 }),
    );
    // Running again with the cap reached does nothing.
    const again = await capped.trainer.run();
    expect(again).toMatchObject({ reason: "steps", globalStep: 7, lastEpoch: null });
    // Resuming without the cap finishes the epoch, whose averages include the steps before the cap.
    const uncapped = new Trainer(capped.model, tinySplits(), resolveConfig(RECIPE), {
      yieldEvery: 0,
      resume: capped.trainer.state(),
    });
    const rest = record(uncapped);
    expect(await uncapped.run()).toMatchObject({ reason: "completed", globalStep: 10 });
    expect(rest.batches.map((b) => b.step)).toEqual([8, 9, 10]);
    const epoch2 = [...capped.batches.slice(5), ...rest.batches].map((b) => b.loss);
    expect(rest.epochs[0]!.loss).toBeCloseTo(epoch2.reduce((a, b) => a + b, 0) / 5, 12);
    expect(straight.epochs).toHaveLength(2);
  });

  it("rejects a resume whose configuration changes the batches", async () => {
    const { trainer } = await straightRun({ ...RECIPE, steps: 2 });
    const config = resolveConfig({ ...RECIPE, batchSize: 10 });
    expect(() => new Trainer(tinyModel(), tinySplits(), config, { resume: trainer.state() })).toThrow(
      "Trainer: cannot resume: the saved run had 40 training examples in 5 steps per epoch, this configuration gives 40 in 4",
    );
  });

  it("stops with an error naming the step when the loss is not finite", async () => {
    const model = tinyModel();
    const trainer = new Trainer(model, tinySplits(), resolveConfig(RECIPE), { yieldEvery: 0 });
    trainer.on("batchEnd", (e) => {
      if (e.step === 2) {
        const weight = model.namedParameters().find(([name]) => name === "5.weight")![1];
        weight.assign(new Float32Array(weight.size).fill(Number.NaN));
      }
    });
    const error = await trainer.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(3);
    expect((error as Error).message).toContain("the loss is NaN at step 3 (epoch 1)");
    expect(trainer.progress.globalStep).toBe(2);
    expect(trainer.running).toBe(false);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    // The loss is read after its step was queued: step 3's update was applied (its NaN gradients reached the
    // first conv), and no step after it ran.
    const first = model.namedParameters().find(([name]) => name === "0.weight")![1];
    expect(first.dataSync().some(Number.isNaN)).toBe(true);
  });

  it("stops when the AbortSignal fires, and refuses a second concurrent run", async () => {
    const controller = new AbortController();
    const model = tinyModel();
    const trainer = new Trainer(model, tinySplits(), resolveConfig(RECIPE), { signal: controller.signal });
    trainer.on("batchEnd", (e) => {
      if (e.step === 4) controller.abort();
    });
    const running = trainer.run();
    await expect(trainer.run()).rejects.toThrow("already running");
    expect(await running).toMatchObject({ reason: "stopped", globalStep: 4 });
  });

  it("awaits async listeners, and the train() helper wires listeners", async () => {
    const order: string[] = [];
    const end = await train(tinyModel(), tinySplits(), resolveConfig({ ...RECIPE, epochs: 1, eval: false }), {
      on: {
        epochEnd: async (e) => {
          await new Promise((r) => setTimeout(r, 5));
          order.push(`epoch ${e.epoch} (test ${e.testAccuracy})`);
        },
        end: (e) => void order.push(`end ${e.reason}`),
      },
    });
    expect(order).toEqual(["epoch 1 (test null)", "end completed"]);
    expect(end.lastEpoch?.evaluation).toBeNull();
  });

  it("trains on the label-smoothed loss when labelSmoothing is set (the batch loss is that loss)", async () => {
    const splits = tinySplits();
    const first = splits.train;
    const images = Float32Array.from(first.images.subarray(0, 8 * 36), (v) => v / 255);
    const expected = (e: number) =>
      tidy(() =>
        crossEntropy(
          tinyModel()
            .train()
            .call(fromArray(images, [8, 1, 6, 6])),
          fromArray([...first.labels.subarray(0, 8)]),
          e,
        ).item(),
      );
    for (const e of [0, 0.3]) {
      const trainer = new Trainer(
        tinyModel(),
        splits,
        resolveConfig({ ...RECIPE, shuffle: false, steps: 1, eval: false, labelSmoothing: e }),
        { yieldEvery: 0 },
      );
      const { batches } = record(trainer);
      await trainer.run();
      expect(batches[0]!.loss).toBeCloseTo(expected(e), 5);
    }
    expect(Math.abs(expected(0.3) - expected(0))).toBeGreaterThan(1e-3);
  });

  it("uses the warm-up and onecycle rates step by step", async () => {
    const warm = await straightRun({ ...RECIPE, warmupEpochs: 1, warmupStartFactor: 0.2 });
    const warmRates = [0.2, 0.36, 0.52, 0.68, 0.84, 1].map((f) => 0.1 * f);
    warm.batches.slice(0, 6).forEach((b, i) => {
      expect(b.lr).toBeCloseTo(warmRates[i]!, 15);
    });
    const cycle = await straightRun({ ...RECIPE, schedule: "onecycle", divFactor: 10, finalDivFactor: 100 });
    expect(cycle.batches[0]!.lr).toBeCloseTo(0.01, 15);
    expect(Math.max(...cycle.batches.map((b) => b.lr))).toBeLessThanOrEqual(0.1);
    expect(cycle.batches[9]!.lr).toBeCloseTo(0.0001, 15);
  });

  it("trains on a fixed subset with trainLimit / testLimit", async () => {
    const trainer = new Trainer(
      tinyModel(),
      tinySplits(),
      resolveConfig({ ...RECIPE, trainLimit: 16, testLimit: 10 }),
    );
    expect([trainer.trainSet.count, trainer.testSet.count, trainer.stepsPerEpoch]).toEqual([16, 10, 2]);
  });
});
