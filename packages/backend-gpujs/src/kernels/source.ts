/**
 * Helpers for generating gpu.js kernel sources. Shapes are baked into each source as literals, so
 * every loop is bounded by a constant (never by an argument, which gpu.js caps at loopMaxIterations)
 * and each shape gets its own compiled kernel (cached by the executor).
 */
import type { KernelAttrs, KernelInputs, KernelName, KernelOutput } from "@resnet-ts/tensor";
import { type GpujsBackend, THREAD_IDS } from "../backend.js";

export type Impl<K extends KernelName> = (
  backend: GpujsBackend,
  inputs: KernelInputs<K>,
  attrs: KernelAttrs<K>,
) => KernelOutput<K>;

export type Impls = { [K in KernelName]: Impl<K> };

/** floor(a / b) for a non-negative integer-valued float expression `a` and a positive integer `b`, robust to float rounding. */
export const idiv = (a: string, b: number): string =>
  b === 1 ? `(${a})` : `Math.floor((${a} + 0.5) / ${b})`;

/**
 * Sets `tx`, `ty`, `tz`, the coordinates of the output element, in a kernel's first line; the
 * backend then picks the thread grid (see GpujsBackend.grid). Kernels that use it read the thread
 * ids only through these three.
 */
export const THREAD = THREAD_IDS;

/** A kernel function source from its parameter names and body. */
export const kernel = (params: readonly string[], body: string): string =>
  `function(${params.join(", ")}) {\n${body}\n}`;

/** [N, C, rest] of an [N, C, ...] shape. */
export function ncs(shape: readonly number[]): [number, number, number] {
  let s = 1;
  for (let i = 2; i < shape.length; i++) s *= shape[i]!;
  return [shape[0]!, shape[1]!, s];
}

/**
 * The channel (axis 1) of the element at thread (tx, ty, tz) of an [N, C, ...] tensor in natural
 * layout, as an expression.
 */
export function channelOf(shape: readonly number[]): string {
  const c = shape[1]!;
  if (shape.length === 2) return "tx";
  if (shape.length === 3) return "ty";
  let inner = 1;
  for (let i = 2; i < shape.length - 2; i++) inner *= shape[i]!;
  const q = idiv("tz", inner);
  return `(${q} - ${idiv(q, c)} * ${c})`;
}

/**
 * Source looping over the windows / kernel taps (along one axis) that cover input position `t`:
 * sets `k<axis>` (the tap) and `o<axis>` (the output position) and runs `body` for each. Only taps of
 * the right stride phase are visited: ceil(k / s) iterations, not k.
 */
export function covering(
  axis: "y" | "x",
  t: string,
  k: number,
  s: number,
  p: number,
  out: number,
  body: string,
): string {
  const phase = s === 1 ? "0" : `(${t} + ${p}) - Math.floor((${t} + ${p} + 0.5) / ${s}) * ${s}`;
  return `const r${axis} = ${phase};
for (let a${axis} = 0; a${axis} < ${Math.ceil(k / s)}; a${axis}++) {
  const k${axis} = r${axis} + a${axis} * ${s};
  const n${axis} = ${t} + ${p} - k${axis};
  if (k${axis} < ${k} && n${axis} >= 0) {
    const o${axis} = ${idiv(`n${axis}`, s)};
    if (o${axis} < ${out}) {
${body}
    }
  }
}`;
}

/**
 * The element index of an elementwise kernel run over `dims` (`GpujsBackend.elementwiseDims`):
 * the thread ids themselves, no grid; a literal plane where there is one (cheaper on webasm).
 */
export const elementAt = (dims: readonly number[]): string =>
  `[${dims[2] === 1 ? "0" : "this.thread.z"}][this.thread.y][this.thread.x]`;
