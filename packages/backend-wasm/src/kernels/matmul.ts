/** MatMul as one GEMM: A packed here, B packed block by block in the module (k_gemm). */
import { type KernelConfig, matmulDims } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import { KC, MR, NC, NR, packA, threadScratch } from "./gemm.js";

export const matMul: KernelConfig<"MatMul", WasmBackend> = {
  kernelName: "MatMul",
  backendName: "wasm",
  kernelFunc: (backend, { a, b }, { transposeA, transposeB }) => {
    const { m, k, n } = matmulDims(a.shape, b.shape, transposeA, transposeB);
    const c = backend.make(m * n);
    if (m * n === 0) return { dataId: c, shape: [m, n] };
    const pa = packA(backend, "packA", backend.ptr(a.dataId), transposeA ? 1 : k, transposeA ? m : 1, m, k);
    const [rs, cs] = transposeB ? [1, k] : [n, 1];
    const blocks = threadScratch(backend, (2 * NC + MR * NR + KC * NC) * 4, NC);
    const args = { packedA: pa, b: backend.ptr(b.dataId), rs, cs, c: c.ptr, m, n, k, ...blocks };
    backend.runtime.run("k_gemm", args, m * n * k >= 1 << 18);
    return { dataId: c, shape: [m, n] };
  },
};
