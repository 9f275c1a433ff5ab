/** Batch norm kernels (assembly/batchnorm.ts); threads split the channels. */
import type { KernelConfig } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import { PARALLEL_MIN, channelDims } from "./elementwise.js";

export const batchNormTrain: KernelConfig<"BatchNormTrain", WasmBackend> = {
  kernelName: "BatchNormTrain",
  backendName: "wasm",
  kernelFunc: (backend, { x, gamma, beta, runningMean, runningVar }, { eps, momentum }) => {
    const [n, c, inner] = channelDims(x);
    const y = backend.make(n * c * inner);
    const mean = backend.make(c);
    const variance = backend.make(c);
    const p = (t: { dataId: object }) => backend.ptr(t.dataId);
    backend.runtime.run(
      "k_bnTrain",
      {
        x: p(x),
        gamma: p(gamma),
        beta: p(beta),
        runningMean: p(runningMean),
        runningVar: p(runningVar),
        y: y.ptr,
        mean: mean.ptr,
        variance: variance.ptr,
        n,
        c,
        inner,
        eps,
        momentum,
      },
      n * c * inner >= PARALLEL_MIN,
    );
    return {
      y: { dataId: y, shape: [...x.shape] },
      mean: { dataId: mean, shape: [c] },
      variance: { dataId: variance, shape: [c] },
    };
  },
};

export const batchNormInfer: KernelConfig<"BatchNormInfer", WasmBackend> = {
  kernelName: "BatchNormInfer",
  backendName: "wasm",
  kernelFunc: (backend, { x, gamma, beta, mean, variance }, { eps }) => {
    const [n, c, inner] = channelDims(x);
    const y = backend.make(n * c * inner);
    const p = (t: { dataId: object }) => backend.ptr(t.dataId);
    backend.runtime.run(
      "k_bnInfer",
      {
        x: p(x),
        gamma: p(gamma),
        beta: p(beta),
        mean: p(mean),
        variance: p(variance),
        y: y.ptr,
        n,
        c,
        inner,
        eps,
      },
      n * c * inner >= PARALLEL_MIN,
    );
    return { dataId: y, shape: [...x.shape] };
  },
};

export const batchNormGrad: KernelConfig<"BatchNormGrad", WasmBackend> = {
  kernelName: "BatchNormGrad",
  backendName: "wasm",
  kernelFunc: (backend, { dy, x, gamma, mean, variance }, { eps, training }) => {
    const [n, c, inner] = channelDims(x);
    const dx = backend.make(n * c * inner);
    const dgamma = backend.make(c);
    const dbeta = backend.make(c);
    const p = (t: { dataId: object }) => backend.ptr(t.dataId);
    backend.runtime.run(
      "k_bnGrad",
      {
        dy: p(dy),
        x: p(x),
        gamma: p(gamma),
        mean: p(mean),
        variance: p(variance),
        dx: dx.ptr,
        dgamma: dgamma.ptr,
        dbeta: dbeta.ptr,
        n,
        c,
        inner,
        eps,
        training: training ? 1 : 0,
      },
      n * c * inner >= PARALLEL_MIN,
    );
    return {
      dx: { dataId: dx, shape: [...x.shape] },
      dgamma: { dataId: dgamma, shape: [c] },
      dbeta: { dataId: dbeta, shape: [c] },
    };
  },
};
