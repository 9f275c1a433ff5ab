/** Softmax and the fused softmax cross-entropy (assembly/loss.ts). */
import type { KernelConfig } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import { PARALLEL_MIN } from "./elementwise.js";

export const softmax: KernelConfig<"Softmax", WasmBackend> = {
  kernelName: "Softmax",
  backendName: "wasm",
  kernelFunc: (backend, { logits }) => {
    const [n, k] = logits.shape as [number, number];
    const out = backend.make(n * k);
    backend.runtime.run(
      "k_softmax",
      { logits: backend.ptr(logits.dataId), out: out.ptr, n, k },
      n * k >= PARALLEL_MIN,
    );
    return { dataId: out, shape: [n, k] };
  },
};

export const softmaxCrossEntropy: KernelConfig<"SoftmaxCrossEntropy", WasmBackend> = {
  kernelName: "SoftmaxCrossEntropy",
  backendName: "wasm",
  kernelFunc: (backend, { logits, labels }, { labelSmoothing }) => {
    const [n, k] = logits.shape as [number, number];
    const lv = backend.view(labels.dataId);
    for (let i = 0; i < n; i++) {
      const label = lv[i]!;
      if (!Number.isInteger(label) || label < 0 || label >= k) {
        throw new Error(`softmaxCrossEntropy: label ${label} at row ${i} is not a class index in [0, ${k})`);
      }
    }
    const loss = backend.make(1);
    const dlogits = backend.make(n * k);
    const args = {
      logits: backend.ptr(logits.dataId),
      labels: backend.ptr(labels.dataId),
      loss: loss.ptr,
      grad: dlogits.ptr,
      n,
      k,
      labelSmoothing,
    };
    backend.runtime.run("k_softmaxCrossEntropy", args, false);
    return { loss: { dataId: loss, shape: [] }, dlogits: { dataId: dlogits, shape: [n, k] } };
  },
};
