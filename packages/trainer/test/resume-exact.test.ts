// Resume exactness at the edges: a checkpoint written when an epoch ends (as the CLI writes one) resumes
// at the next epoch without replaying the finished one's end; a run with nothing left says how far it
// got; a final batch of one example is left out (BatchNorm needs more than one value per channel).
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  decodeCheckpoint,
  type EpochEndEvent,
  encodeCheckpoint,
  resolveConfig,
  Trainer,
  type TrainingState,
} from "../src/index.js";
import { tinyModel, tinySplits } from "./tiny.js";

const RECIPE = { epochs: 3, batchSize: 8, lr: 0.1, momentum: 0.9, seed: 3 };

describe("resume exactness", () => {
  it("resumes a checkpoint written at an epoch's end at the next epoch, without a second evaluation", async () => {
    const straight = new Trainer(tinyModel(), tinySplits(), resolveConfig(RECIPE), { yieldEvery: 0 });
    const straightEpochs: EpochEndEvent[] = [];
    straight.on("epochEnd", (e) => void straightEpochs.push(e));
    await straight.run();

    // The first run saves at each epoch's end (inside the listener) and is killed after epoch 2's save.
    const first = new Trainer(tinyModel(), tinySplits(), resolveConfig(RECIPE), { yieldEvery: 0 });
    // Not awaited: the encode takes its values at the call, whatever the run does while it finishes.
    let saved: ReturnType<typeof encodeCheckpoint> | null = null;
    first.on("epochEnd", (e) => {
      saved = encodeCheckpoint(first.model, {
        config: first.config,
        optimizer: first.optimizer,
        progress: first.state().progress,
      });
      if (e.epoch === 2) first.stop();
    });
    await first.run();
    const { weights, trainState } = await saved!;
    const checkpoint = decodeCheckpoint(weights, trainState);
    const progress = checkpoint.training!.progress;
    expect(progress).toMatchObject({ epochsDone: 2, stepsInEpoch: 0, globalStep: 10, epochExamples: 0 });
    expect(checkpoint.info).toMatchObject({ epoch: 2, step: 10 });

    const model = tinyModel(9);
    model.loadStateDict(checkpoint.stateDict);
    const second = new Trainer(model, tinySplits(), checkpoint.info.config!, {
      yieldEvery: 0,
      resume: checkpoint.training as TrainingState,
    });
    const epochs: EpochEndEvent[] = [];
    let steps = 0;
    second.on("batchEnd", () => void steps++);
    second.on("epochEnd", (e) => void epochs.push(e));
    const end = await second.run();
    // Exactly epoch 3: one record, one evaluation, finite throughput, and the uninterrupted run's numbers.
    expect(epochs.map((e) => e.epoch)).toEqual([3]);
    expect(steps).toBe(5);
    expect(Number.isFinite(epochs[0]!.imagesPerSecond)).toBe(true);
    const numbers = ({ loss, trainAccuracy, testLoss, testAccuracy }: EpochEndEvent) => ({
      loss,
      trainAccuracy,
      testLoss,
      testAccuracy,
    });
    expect(numbers(epochs[0]!)).toEqual(numbers(straightEpochs[2]!));
    expect(end).toMatchObject({ reason: "completed", epochsDone: 3, globalStep: 15 });
    expect(model.stateDict()).toEqual(straight.model.stateDict());
  });

  it("says how many epochs a run already did when asked for fewer", async () => {
    const done = new Trainer(tinyModel(), tinySplits(), resolveConfig({ ...RECIPE, epochs: 2 }), {
      yieldEvery: 0,
    });
    await done.run();
    expect(done.progress).toMatchObject({ epochsDone: 2, stepsInEpoch: 0 });
    expect(
      () =>
        new Trainer(tinyModel(), tinySplits(), resolveConfig({ ...RECIPE, epochs: 1 }), {
          resume: done.state(),
        }),
    ).toThrow("this run already did 2 epochs, more than the 1 configured");
  });

  it("leaves out a last batch of one example, every epoch", async () => {
    // 17 examples in batches of 8: 8 + 8, and the 17th example is dropped.
    const trainer = new Trainer(tinyModel(), tinySplits(17), resolveConfig({ ...RECIPE, epochs: 2 }), {
      yieldEvery: 0,
    });
    expect(trainer.droppedPerEpoch).toBe(1);
    expect(trainer.stepsPerEpoch).toBe(2);
    const sizes: number[] = [];
    trainer.on("batchEnd", (e) => void sizes.push(e.batchSize));
    expect(await trainer.run()).toMatchObject({ reason: "completed", globalStep: 4 });
    expect(sizes).toEqual([8, 8, 8, 8]);
    // Other remainders are kept.
    expect(new Trainer(tinyModel(), tinySplits(18), resolveConfig(RECIPE)).droppedPerEpoch).toBe(0);
    expect(() => new Trainer(tinyModel(), tinySplits(1), resolveConfig(RECIPE))).toThrow(
      "the training set has 1 example; BatchNorm in training mode needs batches of at least 2",
    );
  });

  it("rejects a batch size of 1, saying why", () => {
    expect(() => resolveConfig({ batchSize: 1 })).toThrow(ConfigError);
    expect(() => resolveConfig({ batchSize: 1 })).toThrow(
      "batchSize: must be at least 2: BatchNorm in training mode needs more than one value per channel",
    );
  });
});
