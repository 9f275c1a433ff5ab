/**
 * Runs one kernel on the reference cpu backend and on a gpujs backend from the same host inputs and
 * compares every output (and, for the in-place kernels, the updated inputs).
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
import { expect } from "vitest";

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

type Outputs = Record<string, Float32Array>;

/** Runs the kernel on the active backend; returns its outputs and its (possibly updated) inputs, read back. */
function runOn(kernel: KernelName, inputs: Record<string, HostTensor>, attrs: object): Outputs {
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, fromArray(v.values, v.shape)]),
  );
  const infos = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [k, { dataId: t.dataId, shape: t.shape }]),
  );
  const out = runKernel(kernel, infos as never, attrs as KernelAttrs<typeof kernel>) as unknown;
  const result: Outputs = {};
  const collect = (name: string, info: TensorInfo) => {
    const t = new Tensor(info.dataId, info.shape);
    expect(t.shape, `${kernel} output '${name}' shape`).toEqual(info.shape);
    result[name] = t.dataSync();
    t.dispose();
  };
  if (out && typeof out === "object" && "dataId" in out) collect("out", out as TensorInfo);
  else if (out) for (const [k, v] of Object.entries(out as Record<string, TensorInfo>)) collect(k, v);
  for (const [k, t] of Object.entries(tensors)) {
    result[`input:${k}`] = t.dataSync();
    t.dispose();
  }
  return result;
}

export function maxRelError(got: Float32Array, want: Float32Array): number {
  let scale = 1e-3;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  return worst;
}

/** Asserts the gpujs backend `backend` matches cpu on this kernel call within `tolerance` (relative to the largest value). */
export async function expectParity(
  backend: string,
  kernel: KernelName,
  inputs: Record<string, HostTensor>,
  attrs: object,
  tolerance = 1e-5,
): Promise<void> {
  await setBackend("cpu");
  const want = runOn(kernel, inputs, attrs);
  await setBackend(backend);
  let got: Outputs;
  try {
    got = runOn(kernel, inputs, attrs);
  } finally {
    await setBackend("cpu");
  }
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const name of Object.keys(want)) {
    expect(got[name]!.length, `${kernel} ${name} length`).toBe(want[name]!.length);
    const err = maxRelError(got[name]!, want[name]!);
    expect(err, `${kernel} ${name} on ${backend}: relative error ${err}`).toBeLessThanOrEqual(tolerance);
  }
}
