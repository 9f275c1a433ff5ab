/**
 * What the GEMM-shaped kernels (convolutions, MatMul) share on the JS side: the module's block sizes,
 * packing of the A operand, per-thread scratch.
 */
import type { WasmBackend } from "../backend.js";

/** Micro-tile rows and columns (assembly/gemm.ts). */
export const MR = 4;
export const NR = 8;
/** Depth of a packed block (kc) and its columns (nc): a kc x nc block of B stays in L2. */
export const KC = 256;
export const NC = 256;

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
  backend.runtime.run("k_packA", [src, rs, cs, m, k, dst], m * k >= 1 << 15);
  return dst;
}

/** Per-thread scratch: `bytes` each, 64-byte aligned; returns [base, stride]. */
export function threadScratch(backend: WasmBackend, bytes: number): [number, number] {
  const stride = roundUp(bytes, 64);
  return [backend.scratch("threads", stride * backend.runtime.threads), stride];
}
