/** Pooling kernels (assembly/pool.ts); threads split the n*c planes. */
import { type KernelConfig, windowOutSize } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import { PARALLEL_MIN } from "./elementwise.js";

function maxPoolArgs(
  shape: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  pad: readonly number[],
) {
  const [n, c, h, w] = shape as [number, number, number, number];
  const oh = windowOutSize(h, kernel[0]!, stride[0]!, pad[0]!);
  const ow = windowOutSize(w, kernel[1]!, stride[1]!, pad[1]!);
  return {
    n,
    c,
    h,
    w,
    oh,
    ow,
    geom: {
      n,
      c,
      h,
      w,
      kh: kernel[0]!,
      kw: kernel[1]!,
      sh: stride[0]!,
      sw: stride[1]!,
      ph: pad[0]!,
      pw: pad[1]!,
      oh,
      ow,
    },
  };
}

export const maxPool: KernelConfig<"MaxPool", WasmBackend> = {
  kernelName: "MaxPool",
  backendName: "wasm",
  kernelFunc: (backend, { x }, { kernel, stride, pad }) => {
    const { n, c, h, w, oh, ow, geom } = maxPoolArgs(x.shape, kernel, stride, pad);
    const y = backend.make(n * c * oh * ow);
    backend.runtime.run(
      "k_maxPool",
      { x: backend.ptr(x.dataId), dy: 0, out: y.ptr, ...geom, grad: 0 },
      n * c * h * w >= PARALLEL_MIN,
    );
    return { dataId: y, shape: [n, c, oh, ow] };
  },
};

export const maxPoolGrad: KernelConfig<"MaxPoolGrad", WasmBackend> = {
  kernelName: "MaxPoolGrad",
  backendName: "wasm",
  kernelFunc: (backend, { dy, x }, { kernel, stride, pad }) => {
    const { n, c, h, w, geom } = maxPoolArgs(x.shape, kernel, stride, pad);
    const dx = backend.make(n * c * h * w);
    const args = { x: backend.ptr(x.dataId), dy: backend.ptr(dy.dataId), out: dx.ptr, ...geom, grad: 1 };
    backend.runtime.run("k_maxPool", args, n * c * h * w >= PARALLEL_MIN);
    return { dataId: dx, shape: [...x.shape] };
  },
};

export const adaptiveAvgPool: KernelConfig<"AdaptiveAvgPool", WasmBackend> = {
  kernelName: "AdaptiveAvgPool",
  backendName: "wasm",
  kernelFunc: (backend, { x }, { outSize }) => {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const [oh, ow] = outSize;
    const y = backend.make(n * c * oh * ow);
    const args = { src: backend.ptr(x.dataId), dst: y.ptr, n, c, h, w, oh, ow, grad: 0 };
    backend.runtime.run("k_adaptiveAvgPool", args, n * c * h * w >= PARALLEL_MIN);
    return { dataId: y, shape: [n, c, oh, ow] };
  },
};

export const adaptiveAvgPoolGrad: KernelConfig<"AdaptiveAvgPoolGrad", WasmBackend> = {
  kernelName: "AdaptiveAvgPoolGrad",
  backendName: "wasm",
  kernelFunc: (backend, { dy }, { xShape }) => {
    const [n, c, h, w] = xShape as [number, number, number, number];
    const dx = backend.make(n * c * h * w);
    const [oh, ow] = [dy.shape[2]!, dy.shape[3]!];
    const args = { src: backend.ptr(dy.dataId), dst: dx.ptr, n, c, h, w, oh, ow, grad: 1 };
    backend.runtime.run("k_adaptiveAvgPool", args, n * c * h * w >= PARALLEL_MIN);
    return { dataId: dx, shape: [...xShape] };
  },
};
