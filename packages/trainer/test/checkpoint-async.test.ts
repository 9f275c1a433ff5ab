// encodeCheckpoint reads the model and the optimizer asynchronously (readStateDict), so a backend that cannot
// read synchronously (gpu.js on WebGPU; here a cpu backend whose readSync throws) saves a checkpoint, byte for
// byte the one the cpu backend writes for the same run; and the file holds the values of the call, not of
// whatever the model becomes while the reads finish.
import type { BatchNorm2d } from "@resnet-ts/layers";
import { setBackend } from "@resnet-ts/tensor";
import { afterEach, describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint, resolveConfig, Trainer } from "../src/index.js";
import { ASYNC } from "./async-backend.js";
import { tinyModel, tinySplits } from "./tiny.js";

const DATE = new Date("2024-01-02T03:04:05Z");

/** Three momentum steps on `backend`, then the checkpoint pair (weights + training state). */
async function trainedCheckpoint(backend: string) {
  await setBackend(backend);
  const config = resolveConfig({ steps: 3, batchSize: 8, momentum: 0.9, eval: false });
  const trainer = new Trainer(tinyModel(), tinySplits(), config, { yieldEvery: 0 });
  await trainer.run();
  return encodeCheckpoint(trainer.model, {
    config,
    optimizer: trainer.optimizer,
    progress: trainer.progress,
    date: DATE,
  });
}

/** The bytes as text with the checkpoint id (random per encode) replaced by `id`. */
const withId = (bytes: Uint8Array, from: string, id: string) =>
  Buffer.from(bytes).toString("latin1").replaceAll(from, id);

afterEach(async () => {
  await setBackend("cpu");
});

describe("encodeCheckpoint on a backend that reads only asynchronously", () => {
  it("writes the cpu backend's bytes for the same run", async () => {
    const want = await trainedCheckpoint("cpu");
    const got = await trainedCheckpoint(ASYNC);
    expect(got.id).not.toBe(want.id);
    expect(withId(got.weights, got.id, want.id)).toBe(withId(want.weights, want.id, want.id));
    expect(withId(got.trainState!, got.id, want.id)).toBe(withId(want.trainState!, want.id, want.id));
    const { stateDict, training } = decodeCheckpoint(got.weights, got.trainState);
    expect(stateDict["1.num_batches_tracked"]!.data).toEqual(BigInt64Array.of(3n));
    expect(training!.optimizer.stepCount).toBe(3);
    expect(training!.optimizer.momentumBuffers.every(Boolean)).toBe(true);
  });

  it("holds the values of the call, not what the model becomes while the reads finish", async () => {
    await setBackend(ASYNC);
    const model = tinyModel();
    const before = await model.readStateDict();
    const bn = model.children()[1] as BatchNorm2d;
    const encoding = encodeCheckpoint(model);
    for (const p of model.parameters()) p.assign(new Float32Array(p.size).fill(7));
    bn.numBatchesTracked = 99n;
    const { stateDict } = decodeCheckpoint((await encoding).weights);
    expect(stateDict).toEqual(before);
    expect((await model.readStateDict())["0.weight"]!.data[0]).toBe(7);
  });
});
