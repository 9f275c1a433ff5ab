/**
 * The reduction passes behind the sums and batch norm: per-plane partial sums (one thread per (n, c)
 * plane, a constant loop over its H*W values), then a per-channel pass over the batch; full sums
 * reduce one axis at a time in blocks of at most 1024 values per thread.
 */
import type { TensorInfo } from "@resnet-ts/tensor";
import type { GpujsBackend } from "../backend.js";
import type { Arg, KernelArg } from "../executors/types.js";
import type { Dims } from "../layout.js";
import { kernel, ncs, THREAD } from "./source.js";

/** Dims of the [N*C planes of Y x X] view of an [N, C, ...] tensor (rank >= 3; natural for NCHW). */
export function planeDims(shape: readonly number[]): Dims {
  const [n, c, s] = ncs(shape);
  const x = shape[shape.length - 1]!;
  return [x, s / x, n * c];
}

/**
 * One partial sum per plane: out [1, 1, N*C], sum over the plane of `expr`, which reads planes as
 * `P(name)` (the value of array `name` at the current position) and may use `c` (the channel).
 */
export function planeSums(
  backend: GpujsBackend,
  dims: Dims,
  channels: number,
  params: readonly string[],
  args: readonly KernelArg[],
  expr: (at: (name: string) => string) => string,
): Arg {
  const [x, y] = dims;
  const at = (name: string) => `${name}[tz][i][j]`;
  const body = `${THREAD}
const c = tz - Math.floor((tz + 0.5) / ${channels}) * ${channels};
let acc = 0;
for (let i = 0; i < ${y}; i++) {
  for (let j = 0; j < ${x}; j++) {
    acc += ${expr(at)};
  }
}
return acc;`;
  return backend.temp(kernel(params, body), [1, 1, dims[2]], args);
}

/** Sums [1, 1, N*C] plane partials over the batch -> [C, 1, 1], times the argument `s`. */
function channelTotalsSource(n: number, c: number): string {
  return kernel(
    ["p", "s"],
    `const tx = this.thread.x;
let acc = 0;
for (let k = 0; k < ${n}; k++) {
  acc += p[k * ${c} + tx][0][0];
}
return acc * s;`,
  );
}

/** Per-channel sum of `expr` over N and the spatial axes, times `scale`: a [C, 1, 1] temporary. */
export function channelTotals(
  backend: GpujsBackend,
  shape: readonly number[],
  params: readonly string[],
  args: readonly KernelArg[],
  expr: (at: (name: string) => string) => string,
  scale = 1,
): Arg {
  const [n, c] = ncs(shape);
  const partial = planeSums(backend, planeDims(shape), c, params, args, expr);
  return backend.temp(channelTotalsSource(n, c), [c, 1, 1], [backend.view(partial, [1, 1, n * c]), scale]);
}

/** `channelTotals` as a new [C] tensor. */
export function channelReduce(...args: Parameters<typeof channelTotals>): TensorInfo {
  const [backend, shape] = args;
  return backend.adopt(channelTotals(...args), [ncs(shape)[1]]);
}

const BLOCK = 1024;

/** Sums along one axis (0 = x, 1 = y, 2 = z) in blocks; returns the partial sums (a temporary). */
export function reduceAxis(backend: GpujsBackend, a: Arg, axis: 0 | 1 | 2): Arg {
  const d = a.dims[axis];
  const block = d <= 4 * BLOCK ? d : BLOCK;
  const out = [...a.dims] as [number, number, number];
  out[axis] = Math.ceil(d / block);
  const t = ["tx", "ty", "tz"][axis]!;
  const index = block === d ? "k" : `${t} * ${block} + k`;
  const read = ["a[tz][ty][idx]", "a[tz][idx][tx]", "a[idx][ty][tx]"][axis]!;
  const guard = block === d || d % block === 0 ? "" : `if (idx < ${d}) `;
  // Own thread ids (not THREAD): the partial sums keep exactly the dims computed here.
  const body = `const tx = this.thread.x;
const ty = this.thread.y;
const tz = this.thread.z;
let acc = 0;
for (let k = 0; k < ${block}; k++) {
  const idx = ${index};
  ${guard}acc += ${read};
}
return acc;`;
  return backend.temp(kernel(["a"], body), out, [a]);
}
