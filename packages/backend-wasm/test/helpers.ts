/** Runs one kernel on the reference cpu backend and on a wasm backend with the same inputs, for parity tests. */
import {
  type Backend,
  type KernelAttrs,
  type KernelInputs,
  type KernelName,
  type TensorInfo,
  type Rng,
  registerBackend,
  runKernel,
  setBackend,
} from "@resnet-ts/tensor";
import { createWasmBackend, registerWasmBackend } from "../src/index.js";

registerWasmBackend();
/** A second instance with an uneven thread count, to exercise the work splitting. */
registerBackend("wasm-3", () => createWasmBackend({ threads: 3 }));
/** And one without relaxed SIMD (the plain mul + add module) on a single thread. */
registerBackend("wasm-plain", () => createWasmBackend({ threads: 1, relaxedSimd: false }));

export const WASM_BACKENDS = ["wasm", "wasm-3", "wasm-plain"] as const;

export type HostInputs = Record<string, { values: Float32Array; shape: number[] }>;
type Outputs = Record<string, Float32Array>;

/** Runs `kernel` on backend `name`; returns its outputs and the (possibly updated in place) inputs. */
export async function runOn<K extends KernelName>(
  name: string,
  kernel: K,
  inputs: HostInputs,
  attrs: KernelAttrs<K>,
): Promise<{ out: Outputs; inputs: Outputs; shapes: Record<string, readonly number[]> }> {
  const backend: Backend = await setBackend(name);
  const infos: Record<string, TensorInfo> = {};
  for (const [k, v] of Object.entries(inputs)) infos[k] = { dataId: backend.write(v.values), shape: v.shape };
  const before = backend.memory().buffers;
  const result = runKernel(kernel, infos as unknown as KernelInputs<K>, attrs) as unknown;
  const out: Outputs = {};
  const shapes: Record<string, readonly number[]> = {};
  const take = (key: string, t: TensorInfo) => {
    out[key] = backend.readSync(t.dataId);
    shapes[key] = t.shape;
    backend.disposeData(t.dataId);
  };
  if (result && typeof result === "object" && "dataId" in result) take("out", result as TensorInfo);
  else if (result) for (const [k, t] of Object.entries(result as Record<string, TensorInfo>)) take(k, t);
  if (backend.memory().buffers !== before)
    throw new Error(`${kernel} on ${name}: outputs not all accounted for`);
  const after: Outputs = {};
  for (const [k, t] of Object.entries(infos)) {
    after[k] = backend.readSync(t.dataId);
    backend.disposeData(t.dataId);
  }
  return { out, inputs: after, shapes };
}

/**
 * Null when a matches b: non-finite values exactly (NaN with NaN, infinities by sign), finite ones
 * within 1e-4 * (|b| + 1e-2 * max finite |b| + 1e-6). Otherwise the first mismatch, described.
 */
export function mismatch(a: Float32Array, b: Float32Array): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  let scale = 0;
  for (const v of b) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const ok = Number.isFinite(y)
      ? Math.abs(x - y) <= 1e-4 * (Math.abs(y) + scale * 1e-2 + 1e-6)
      : Number.isNaN(y)
        ? Number.isNaN(x)
        : x === y;
    if (!ok) return `index ${i}: wasm ${x} vs cpu ${y} (max finite |cpu| ${scale})`;
  }
  return null;
}

export function random(shape: number[], rng: Rng, { low = -1, high = 1 } = {}) {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(low, high);
  return { values, shape };
}

/** Checks every output and every input (in-place kernels) of `kernel` on each wasm backend against cpu. */
export async function expectParity<K extends KernelName>(
  kernel: K,
  inputs: HostInputs,
  attrs: KernelAttrs<K>,
): Promise<void> {
  const want = await runOn("cpu", kernel, inputs, attrs);
  for (const name of WASM_BACKENDS) {
    const got = await runOn(name, kernel, inputs, attrs);
    for (const group of ["out", "inputs"] as const) {
      for (const [k, v] of Object.entries(want[group])) {
        const g = got[group][k];
        if (!g) throw new Error(`${kernel} on ${name}: missing ${group} ${k}`);
        const bad = mismatch(g, v);
        if (bad) throw new Error(`${kernel} on ${name}, ${group} '${k}': ${bad}`);
      }
    }
    for (const [k, s] of Object.entries(want.shapes)) {
      if (JSON.stringify(got.shapes[k]) !== JSON.stringify(s)) {
        throw new Error(
          `${kernel} on ${name}: output ${k} shape ${JSON.stringify(got.shapes[k])}, want ${JSON.stringify(s)}`,
        );
      }
    }
  }
}
