/** The MatMul kernel over the shared gemm. */
import type { KernelConfig } from "../backend.js";
import { matmulDims } from "../kernels.js";
import type { CpuBackend } from "./backend.js";
import { gemm } from "./gemm.js";

export const matMul: KernelConfig<"MatMul", CpuBackend> = {
  kernelName: "MatMul",
  backendName: "cpu",
  kernelFunc: (backend, { a, b }, { transposeA, transposeB }) => {
    const { m, k, n } = matmulDims(a.shape, b.shape, transposeA, transposeB);
    const c = new Float32Array(m * n);
    gemm({ m, n, k, a: backend.values(a.dataId), transposeA, b: backend.values(b.dataId), transposeB, c });
    return { dataId: backend.make(c), shape: [m, n] };
  },
};
