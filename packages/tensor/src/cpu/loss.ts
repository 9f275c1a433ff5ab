/** Softmax and the fused softmax cross-entropy (label smoothing optional) with its gradient (log-sum-exp shifted by the row max). */
import type { KernelConfig } from "../backend.js";
import type { CpuBackend } from "./backend.js";

/** Writes softmax(row) into out[offset..offset+k) and returns the row's log-sum-exp. */
function softmaxRow(logits: Float32Array, offset: number, k: number, out: Float32Array): number {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[offset + j]!);
  let total = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp(logits[offset + j]! - max);
    out[offset + j] = e;
    total += e;
  }
  for (let j = 0; j < k; j++) out[offset + j]! /= total;
  return max + Math.log(total);
}

export const softmax: KernelConfig<"Softmax", CpuBackend> = {
  kernelName: "Softmax",
  backendName: "cpu",
  kernelFunc: (backend, { logits }) => {
    const [n, k] = logits.shape as [number, number];
    const lv = backend.values(logits.dataId);
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) softmaxRow(lv, i * k, k, out);
    return { dataId: backend.make(out), shape: [n, k] };
  },
};

export const softmaxCrossEntropy: KernelConfig<"SoftmaxCrossEntropy", CpuBackend> = {
  kernelName: "SoftmaxCrossEntropy",
  backendName: "cpu",
  kernelFunc: (backend, { logits, labels }, { labelSmoothing: e }) => {
    const [n, k] = logits.shape as [number, number];
    const lv = backend.values(logits.dataId);
    const yv = backend.values(labels.dataId);
    const grad = new Float32Array(n * k);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const label = yv[i]!;
      if (!Number.isInteger(label) || label < 0 || label >= k) {
        throw new Error(`softmaxCrossEntropy: label ${label} at row ${i} is not a class index in [0, ${k})`);
      }
      const lse = softmaxRow(lv, i * k, k, grad);
      loss += lse - (1 - e) * lv[i * k + label]!;
      if (e > 0) {
        let rowSum = 0;
        for (let j = 0; j < k; j++) {
          rowSum += lv[i * k + j]!;
          grad[i * k + j]! -= e / k;
        }
        loss -= (e * rowSum) / k;
      }
      grad[i * k + label]! -= 1 - e;
    }
    for (let j = 0; j < grad.length; j++) grad[j]! /= n;
    return {
      loss: { dataId: backend.make(Float32Array.of(loss / n)), shape: [] },
      dlogits: { dataId: backend.make(grad), shape: [n, k] },
    };
  },
};
