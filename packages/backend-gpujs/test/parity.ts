/**
 * Runs one kernel on the reference cpu backend and on a gpujs backend from the same host inputs and
 * measures the difference of every output (and, for the in-place kernels, of the updated inputs).
 * No test framework here: the browser page uses it too.
 */
import {
  type KernelAttrs,
  type KernelName,
  type Rng,
  runKernel,
  setBackend,
  type TensorInfo,
  Tensor,
  fromArray,
} from "@resnet-ts/tensor";

export interface HostTensor {
  values: Float32Array;
  shape: number[];
}

export function random(shape: number[], rng: Rng, { low = -1, high = 1, integers = false } = {}): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = rng.uniform(low, high);
    values[i] = integers ? Math.round(v) : v;
  }
  return { values, shape };
}

export const labels = (n: number, k: number, rng: Rng): HostTensor => ({
  values: Float32Array.from({ length: n }, () => Math.floor(rng.uniform(0, k))),
  shape: [n],
});

type Outputs = Record<string, { values: Float32Array; shape: readonly number[] }>;

/** Runs the kernel on the active backend; returns its outputs and its (possibly updated) inputs, read back. */
async function runOn(
  kernel: KernelName,
  inputs: Record<string, HostTensor>,
  attrs: object,
): Promise<Outputs> {
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, fromArray(v.values, v.shape)]),
  );
  const infos = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [k, { dataId: t.dataId, shape: t.shape }]),
  );
  const out = runKernel(kernel, infos as never, attrs as KernelAttrs<typeof kernel>) as unknown;
  const named: [string, Tensor][] = [];
  if (out && typeof out === "object" && "dataId" in out) named.push(["out", wrap(out as TensorInfo)]);
  else if (out)
    for (const [k, v] of Object.entries(out as Record<string, TensorInfo>)) named.push([k, wrap(v)]);
  for (const [k, t] of Object.entries(tensors)) named.push([`input:${k}`, t]);
  const result: Outputs = {};
  for (const [name, t] of named) {
    result[name] = { values: await t.data(), shape: t.shape };
    t.dispose();
  }
  return result;
}

const wrap = (info: TensorInfo) => new Tensor(info.dataId, info.shape);

/** Largest |got - want| over the largest |want| (at least 1e-3). */
export function maxRelError(got: Float32Array, want: Float32Array): number {
  let scale = 1e-3;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
}

/**
 * Runs the kernel on cpu and on `backend` from the same inputs; returns the relative error of each
 * output and updated input (Infinity where a shape differs or a name is missing).
 */
export async function parityErrors(
  backend: string,
  kernel: KernelName,
  inputs: Record<string, HostTensor>,
  attrs: object,
): Promise<Record<string, number>> {
  await setBackend("cpu");
  const want = await runOn(kernel, inputs, attrs);
  await setBackend(backend);
  let got: Outputs;
  try {
    got = await runOn(kernel, inputs, attrs);
  } finally {
    await setBackend("cpu");
  }
  const errors: Record<string, number> = {};
  for (const name of new Set([...Object.keys(want), ...Object.keys(got)])) {
    const w = want[name];
    const g = got[name];
    const sameShape = w && g && w.shape.join() === g.shape.join() && w.values.length === g.values.length;
    errors[name] = sameShape ? maxRelError(g.values, w.values) : Number.POSITIVE_INFINITY;
  }
  return errors;
}
