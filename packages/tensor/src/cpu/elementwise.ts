/** Elementwise kernels, the bias broadcast along axis 1 and the reductions. */
import type { KernelConfig, KernelFunc } from "../backend.js";
import type { TensorInfo } from "../kernels.js";
import type { CpuBackend } from "./backend.js";

/** The kernel function of a same-shape binary op. */
function binary<K extends "Add" | "Sub" | "Mul">(
  f: (a: number, b: number) => number,
): KernelFunc<K, CpuBackend> {
  return (backend, { a, b }) => {
    const av = backend.values(a.dataId);
    const bv = backend.values(b.dataId);
    const out = new Float32Array(av.length);
    for (let i = 0; i < out.length; i++) out[i] = f(av[i]!, bv[i]!);
    return { dataId: backend.make(out), shape: [...a.shape] };
  };
}

export const add: KernelConfig<"Add", CpuBackend> = {
  kernelName: "Add",
  backendName: "cpu",
  kernelFunc: binary((a, b) => a + b),
};
export const sub: KernelConfig<"Sub", CpuBackend> = {
  kernelName: "Sub",
  backendName: "cpu",
  kernelFunc: binary((a, b) => a - b),
};
export const mul: KernelConfig<"Mul", CpuBackend> = {
  kernelName: "Mul",
  backendName: "cpu",
  kernelFunc: binary((a, b) => a * b),
};

export const scale: KernelConfig<"Scale", CpuBackend> = {
  kernelName: "Scale",
  backendName: "cpu",
  kernelFunc: (backend, { x }, { scalar }) => {
    const out = backend.values(x.dataId).map((v) => v * scalar);
    return { dataId: backend.make(out), shape: [...x.shape] };
  },
};

export const relu: KernelConfig<"Relu", CpuBackend> = {
  kernelName: "Relu",
  backendName: "cpu",
  kernelFunc: (backend, { x }) => {
    const out = backend.values(x.dataId).map((v) => Math.max(v, 0)); // NaN stays NaN, as in PyTorch
    return { dataId: backend.make(out), shape: [...x.shape] };
  },
};

export const reluGrad: KernelConfig<"ReluGrad", CpuBackend> = {
  kernelName: "ReluGrad",
  backendName: "cpu",
  kernelFunc: (backend, { dy, y }) => {
    const yv = backend.values(y.dataId);
    const out = backend.values(dy.dataId).map((d, i) => (yv[i]! > 0 ? d : 0));
    return { dataId: backend.make(out), shape: [...dy.shape] };
  },
};

/** [N, C, inner] view of an [N,C,...] shape. */
function channelDims(x: TensorInfo): [number, number, number] {
  const [n, c] = x.shape as [number, number];
  return [n, c, x.shape.slice(2).reduce((a, b) => a * b, 1)];
}

export const biasAdd: KernelConfig<"BiasAdd", CpuBackend> = {
  kernelName: "BiasAdd",
  backendName: "cpu",
  kernelFunc: (backend, { x, b }) => {
    const [n, c, inner] = channelDims(x);
    const xv = backend.values(x.dataId);
    const bv = backend.values(b.dataId);
    const out = new Float32Array(xv.length);
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const base = (i * c + ch) * inner;
        const bias = bv[ch]!;
        for (let j = 0; j < inner; j++) out[base + j] = xv[base + j]! + bias;
      }
    }
    return { dataId: backend.make(out), shape: [...x.shape] };
  },
};

export const channelSum: KernelConfig<"ChannelSum", CpuBackend> = {
  kernelName: "ChannelSum",
  backendName: "cpu",
  kernelFunc: (backend, { x }) => {
    const [n, c, inner] = channelDims(x);
    const xv = backend.values(x.dataId);
    const out = new Float32Array(c);
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * inner;
        for (let j = 0; j < inner; j++) s += xv[base + j]!;
      }
      out[ch] = s;
    }
    return { dataId: backend.make(out), shape: [c] };
  },
};

export const sum: KernelConfig<"Sum", CpuBackend> = {
  kernelName: "Sum",
  backendName: "cpu",
  kernelFunc: (backend, { x }) => {
    let s = 0;
    for (const v of backend.values(x.dataId)) s += v;
    return { dataId: backend.make(Float32Array.of(s)), shape: [] };
  },
};
