/** The MatMul kernel over the shared gemm. */
import type { KernelConfig } from "../backend.js";
import type { CpuBackend } from "./backend.js";
import { gemm } from "./gemm.js";

export const matMul: KernelConfig<"MatMul", CpuBackend> = {
  kernelName: "MatMul",
  backendName: "cpu",
  kernelFunc: (backend, { a, b }, { transposeA, transposeB }) => {
    const [a0, a1] = a.shape as [number, number];
    const [b0, b1] = b.shape as [number, number];
    const m = transposeA ? a1 : a0;
    const k = transposeA ? a0 : a1;
    const n = transposeB ? b0 : b1;
    const c = new Float32Array(m * n);
    gemm({ m, n, k, a: backend.values(a.dataId), transposeA, b: backend.values(b.dataId), transposeB, c });
    return { dataId: backend.make(c), shape: [m, n] };
  },
};
