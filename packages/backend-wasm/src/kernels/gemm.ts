/**
 * What the GEMM-shaped kernels (convolutions, MatMul) share on the JS side: the module's block sizes,
 * packing of the A operand, per-thread scratch.
 */
import type { WasmBackend } from "../backend.js";
import { type GroupArgs, KC, MR } from "../generated/abi.js";

export { KC, MR, NC, NR } from "../generated/abi.js";

export const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** Packs the m x k matrix at `src` (element (i, p) at i*rs + p*cs floats) into MR panels in scratch `slot`. */
export function packA(
  backend: WasmBackend,
  slot: string,
  src: number,
  rs: number,
  cs: number,
  m: number,
  k: number,
): number {
  const dst = backend.scratch(slot, roundUp(m, MR) * k * 4);
  backend.runtime.run("k_packA", { src, rs, cs, m, k, dst }, m * k >= 1 << 15);
  return dst;
}

/**
 * Per-thread scratch of a GEMM over blocks of KC x `nc`: `bytes` each, 64-byte aligned; returns the
 * kernels' block words.
 */
export function threadScratch(backend: WasmBackend, bytes: number, nc: number): GroupArgs<"gemmBlocks"> {
  const scratchStride = roundUp(bytes, 64);
  const scratch = backend.scratch("threads", scratchStride * backend.runtime.threads);
  return { scratch, scratchStride, kc: KC, nc };
}
