// Whole-network check of the backends the CLI offers: the d2l ResNet-18's forward pass and one SGD step
// (train mode: batch statistics, running statistics updated) give the reference cpu backend's loss,
// weights and running statistics (@resnet-ts/kernel-tests' compareTraining). Batch 16: at batch 4 the
// last stage's batch norm (1x1 maps, so 4 values per channel) is ill-conditioned enough that float32
// orderings differ by ~1e-4 everywhere.
import "@resnet-ts/backend-gpujs";
import { registerWasmBackend } from "@resnet-ts/backend-wasm";
import { type Network, compareTraining } from "@resnet-ts/kernel-tests";
import { resnet18 } from "@resnet-ts/layers";
import { Rng, fromArray, softmaxCrossEntropy, tidy } from "@resnet-ts/tensor";
import { SGD } from "@resnet-ts/trainer";
import { describe, expect, it } from "vitest";

registerWasmBackend();

/** The seeded ResNet-18, a batch of 16 random 28x28 images and plain SGD at lr 0.05. */
function resnet(): Network {
  const model = resnet18({ seed: 0 });
  const rng = new Rng(1);
  const x = fromArray(
    Float32Array.from({ length: 16 * 28 * 28 }, () => rng.uniform(-1, 1)),
    [16, 1, 28, 28],
  );
  const labels = fromArray(Array.from({ length: 16 }, (_, i) => (i * 7) % 10));
  const optimizer = new SGD(model.parameters(), { lr: 0.05 });
  return {
    state: Object.fromEntries([...model.namedParameters(), ...model.namedBuffers()]),
    step: () =>
      tidy(() => {
        const loss = softmaxCrossEntropy(model.call(x), labels);
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return loss;
      }),
    dispose: () => {
      for (const t of [...model.parameters(), ...model.buffers(), x, labels]) t.dispose();
    },
  };
}

describe.each(["wasm", "gpujs"])("ResNet-18 on %s", (backend) => {
  it("gives the cpu backend's loss, weights and running statistics after one SGD step", async () => {
    const report = await compareTraining(backend, resnet);
    expect(report.mismatches).toEqual([]);
    expect(report.tensors).toBeGreaterThan(100);
    // The weights, batch-norm parameters and running statistics took part (the conv biases' updates
    // are rounding noise).
    expect(report.moved).toBeGreaterThan(80);
  }, 240_000);
});
