// The training loop and the evaluation never read the device synchronously: on a backend whose
// `readSync` throws and whose `read` answers a task later (as gpu.js's WebGPU mode does), a run
// trains, evaluates and gives the cpu backend's numbers exactly (same kernels underneath).
import { setBackend } from "@resnet-ts/tensor";
import { afterEach, describe, expect, it } from "vitest";
import { type BatchEndEvent, type EpochEndEvent, resolveConfig, Trainer } from "../src/index.js";
import { ASYNC } from "./async-backend.js";
import { tinyModel, tinySplits } from "./tiny.js";

const RECIPE = { epochs: 2, batchSize: 8, lr: 0.1, momentum: 0.9, seed: 4 };

async function run(backend: string) {
  await setBackend(backend);
  const model = tinyModel();
  const trainer = new Trainer(model, tinySplits(), resolveConfig(RECIPE), {
    evaluation: { predictions: true, confusion: true },
  });
  const batches: BatchEndEvent[] = [];
  const epochs: EpochEndEvent[] = [];
  trainer.on("batchEnd", (e) => void batches.push(e));
  trainer.on("epochEnd", (e) => void epochs.push(e));
  const end = await trainer.run();
  const weights = await Promise.all(model.parameters().map((p) => p.data()));
  return { end, batches, epochs, weights };
}

afterEach(async () => {
  await setBackend("cpu");
});

describe("a backend that reads only asynchronously", () => {
  it("cannot be read synchronously (the check below would catch a synchronous read)", async () => {
    await setBackend(ASYNC);
    const model = tinyModel();
    expect(() => model.stateDict()).toThrow("readSync is not possible here");
  });

  it("trains and evaluates with the cpu backend's losses, accuracies and weights", async () => {
    const want = await run("cpu");
    const got = await run(ASYNC);
    expect(got.end).toMatchObject({ reason: "completed", globalStep: 10 });
    const numbers = (e: BatchEndEvent) => [e.loss, e.accuracy];
    expect(got.batches.map(numbers)).toEqual(want.batches.map(numbers));
    expect(got.batches.every((e) => Number.isFinite(e.loss))).toBe(true);
    const epoch = ({ loss, trainAccuracy, testLoss, testAccuracy, evaluation }: EpochEndEvent) => ({
      loss,
      trainAccuracy,
      testLoss,
      testAccuracy,
      predictions: Array.from(evaluation!.predictions!),
      confusion: evaluation!.confusion,
    });
    expect(got.epochs.map(epoch)).toEqual(want.epochs.map(epoch));
    expect(got.weights).toEqual(want.weights);
  });
});
