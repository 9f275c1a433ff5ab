// Whole-network check of the backends the CLI offers: the d2l ResNet-18's forward pass and one SGD step
// (train mode: batch statistics, running statistics updated) give the reference cpu backend's loss,
// weights and running statistics. Batch 16: at batch 4 the last stage's batch norm (1x1 maps, so 4
// values per channel) is ill-conditioned enough that float32 orderings differ by ~1e-4 everywhere.
import "@resnet-ts/backend-gpujs";
import { registerWasmBackend } from "@resnet-ts/backend-wasm";
import { resnet18, type StateDict } from "@resnet-ts/layers";
import { fromArray, getBackend, Rng, setBackend, softmaxCrossEntropy, tidy } from "@resnet-ts/tensor";
import { SGD } from "@resnet-ts/trainer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

registerWasmBackend();

interface Step {
  loss: number;
  before: StateDict;
  after: StateDict;
}

async function oneStep(backend: string): Promise<Step> {
  await setBackend(backend);
  const model = resnet18({ seed: 0 });
  const rng = new Rng(1);
  const x = fromArray(
    Float32Array.from({ length: 16 * 28 * 28 }, () => rng.uniform(-1, 1)),
    [16, 1, 28, 28],
  );
  const labels = fromArray(Array.from({ length: 16 }, (_, i) => (i * 7) % 10));
  const before = model.stateDict();
  const optimizer = new SGD(model.parameters(), { lr: 0.05 });
  let loss = Number.NaN;
  tidy(() => {
    const l = softmaxCrossEntropy(model.call(x), labels);
    loss = l.dataSync()[0]!;
    l.backward();
    optimizer.step();
  });
  const after = model.stateDict();
  for (const t of [...model.parameters(), ...model.buffers(), x, labels]) t.dispose();
  return { loss, before, after };
}

const floats = (dict: StateDict, key: string) => dict[key]!.data as Float32Array;

/** max |a - b| / max |b|: the largest difference against the tensor's scale. */
function scaledMaxDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * ||(a1 - a0) - (b1 - b0)|| / ||b1 - b0||: how far one step's update is from the reference update;
 * null where the reference update is rounding noise (a conv bias followed by batch norm has a zero
 * gradient in exact arithmetic: its update is under 1e-6 of the weights' scale).
 */
function updateError(a0: Float32Array, a1: Float32Array, b0: Float32Array, b1: Float32Array): number | null {
  let err = 0;
  let norm = 0;
  let scale = 0;
  for (let i = 0; i < b0.length; i++) {
    const want = b1[i]! - b0[i]!;
    err += (a1[i]! - a0[i]! - want) ** 2;
    norm += want ** 2;
    scale = Math.max(scale, Math.abs(b0[i]!));
  }
  return Math.sqrt(norm / b0.length) < 1e-6 * scale ? null : Math.sqrt(err / norm);
}

let reference: Step;

beforeAll(async () => {
  reference = await oneStep("cpu");
}, 120_000);

afterAll(async () => {
  await setBackend("cpu");
});

describe.each(["wasm", "gpujs"])("ResNet-18 on %s", (backend) => {
  it("gives the cpu backend's loss, weights and running statistics after one SGD step", async () => {
    const got = await oneStep(backend);
    expect(getBackend().name).toBe(backend);
    expect(got.loss).toBeCloseTo(reference.loss, 4);
    const keys = Object.keys(reference.after).filter((k) => reference.after[k]!.dtype === "float32");
    expect(keys.length).toBeGreaterThan(100);
    let moved = 0;
    for (const key of keys) {
      const [a0, a1] = [floats(got.before, key), floats(got.after, key)];
      const [b0, b1] = [floats(reference.before, key), floats(reference.after, key)];
      expect(scaledMaxDiff(a0, b0), `${key} before the step`).toBe(0);
      expect(scaledMaxDiff(a1, b1), `${key} after the step`).toBeLessThanOrEqual(1e-4);
      const update = updateError(a0, a1, b0, b1);
      if (update !== null) {
        moved++;
        expect(update, `${key}: the step's update`).toBeLessThanOrEqual(1e-3);
      }
    }
    // The weights, batch-norm parameters and running statistics took part (the conv biases' updates
    // are rounding noise; num_batches_tracked is int64, not compared).
    expect(moved).toBeGreaterThan(80);
  }, 120_000);
});
