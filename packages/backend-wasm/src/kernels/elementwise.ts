/** Elementwise kernels, the bias broadcast, and the reductions (assembly/elementwise.ts). */
import type { KernelConfig, KernelFunc, TensorInfo } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";

/** Below this many elements a kernel runs on the calling thread only. */
export const PARALLEL_MIN = 1 << 15;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The kernel function of a same-shape binary op (k_binary's op: 0 add, 1 sub, 2 mul). */
function binary<K extends "Add" | "Sub" | "Mul">(op: number): KernelFunc<K, WasmBackend> {
  return (backend, { a, b }) => {
    const len = size(a.shape);
    const out = backend.make(len);
    backend.runtime.run(
      "k_binary",
      { a: backend.ptr(a.dataId), b: backend.ptr(b.dataId), out: out.ptr, len, op },
      len >= PARALLEL_MIN,
    );
    return { dataId: out, shape: [...a.shape] };
  };
}

export const add: KernelConfig<"Add", WasmBackend> = {
  kernelName: "Add",
  backendName: "wasm",
  kernelFunc: binary(0),
};
export const sub: KernelConfig<"Sub", WasmBackend> = {
  kernelName: "Sub",
  backendName: "wasm",
  kernelFunc: binary(1),
};
export const mul: KernelConfig<"Mul", WasmBackend> = {
  kernelName: "Mul",
  backendName: "wasm",
  kernelFunc: binary(2),
};

export const scale: KernelConfig<"Scale", WasmBackend> = {
  kernelName: "Scale",
  backendName: "wasm",
  kernelFunc: (backend, { x }, { scalar }) => {
    const len = size(x.shape);
    const out = backend.make(len);
    backend.runtime.run(
      "k_scale",
      { x: backend.ptr(x.dataId), out: out.ptr, len, scalar },
      len >= PARALLEL_MIN,
    );
    return { dataId: out, shape: [...x.shape] };
  },
};

export const relu: KernelConfig<"Relu", WasmBackend> = {
  kernelName: "Relu",
  backendName: "wasm",
  kernelFunc: (backend, { x }) => {
    const len = size(x.shape);
    const out = backend.make(len);
    backend.runtime.run("k_relu", { x: backend.ptr(x.dataId), out: out.ptr, len }, len >= PARALLEL_MIN);
    return { dataId: out, shape: [...x.shape] };
  },
};

export const reluGrad: KernelConfig<"ReluGrad", WasmBackend> = {
  kernelName: "ReluGrad",
  backendName: "wasm",
  kernelFunc: (backend, { dy, y }) => {
    const len = size(dy.shape);
    const out = backend.make(len);
    backend.runtime.run(
      "k_reluGrad",
      { dy: backend.ptr(dy.dataId), y: backend.ptr(y.dataId), out: out.ptr, len },
      len >= PARALLEL_MIN,
    );
    return { dataId: out, shape: [...dy.shape] };
  },
};

/** [N, C, inner] view of an [N,C,...] shape. */
export function channelDims(x: TensorInfo): [number, number, number] {
  const [n, c] = x.shape as [number, number];
  return [n, c, size(x.shape.slice(2))];
}

export const biasAdd: KernelConfig<"BiasAdd", WasmBackend> = {
  kernelName: "BiasAdd",
  backendName: "wasm",
  kernelFunc: (backend, { x, b }) => {
    const [n, c, inner] = channelDims(x);
    const out = backend.make(n * c * inner);
    const args = { x: backend.ptr(x.dataId), b: backend.ptr(b.dataId), out: out.ptr, n, c, inner };
    backend.runtime.run("k_biasAdd", args, n * c * inner >= PARALLEL_MIN);
    return { dataId: out, shape: [...x.shape] };
  },
};

export const channelSum: KernelConfig<"ChannelSum", WasmBackend> = {
  kernelName: "ChannelSum",
  backendName: "wasm",
  kernelFunc: (backend, { x }) => {
    const [n, c, inner] = channelDims(x);
    const out = backend.make(c);
    backend.runtime.run(
      "k_channelSum",
      { x: backend.ptr(x.dataId), out: out.ptr, n, c, inner },
      n * c * inner >= PARALLEL_MIN,
    );
    return { dataId: out, shape: [c] };
  },
};

export const sum: KernelConfig<"Sum", WasmBackend> = {
  kernelName: "Sum",
  backendName: "wasm",
  kernelFunc: (backend, { x }) => {
    const out = backend.make(1);
    backend.runtime.run("k_sum", { x: backend.ptr(x.dataId), out: out.ptr, len: size(x.shape) }, false);
    return { dataId: out, shape: [] };
  },
};
