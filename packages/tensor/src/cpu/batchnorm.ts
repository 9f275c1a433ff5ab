/** Batch norm kernels: per-channel statistics over N and the spatial axes of [N,C,H,W] (or [N,C]). */
import type { KernelConfig } from "../backend.js";
import type { CpuBackend } from "./backend.js";

/** [N, C, spatial] view of an [N,C,...] shape. */
function dims(shape: readonly number[]): [number, number, number] {
  const [n, c] = shape as [number, number];
  return [n, c, shape.length > 2 ? shape.slice(2).reduce((a, b) => a * b, 1) : 1];
}

export const batchNormTrain: KernelConfig<"BatchNormTrain", CpuBackend> = {
  kernelName: "BatchNormTrain",
  backendName: "cpu",
  kernelFunc: (backend, { x, gamma, beta, runningMean, runningVar }, { eps, momentum }) => {
    const [n, c, s] = dims(x.shape);
    const xv = backend.values(x.dataId);
    const gv = backend.values(gamma.dataId);
    const bv = backend.values(beta.dataId);
    const rm = backend.values(runningMean.dataId);
    const rv = backend.values(runningVar.dataId);
    const y = new Float32Array(xv.length);
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    const count = n * s;
    for (let ch = 0; ch < c; ch++) {
      // Two passes in float64 for an accurate variance.
      let total = 0;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) total += xv[base + j]!;
      }
      const mu = total / count;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) {
          const d = xv[base + j]! - mu;
          sq += d * d;
        }
      }
      const vr = sq / count;
      mean[ch] = mu;
      variance[ch] = vr;
      const scale = gv[ch]! / Math.sqrt(vr + eps);
      const shift = bv[ch]! - mu * scale;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) y[base + j] = xv[base + j]! * scale + shift;
      }
      if (momentum > 0) {
        rm[ch] = (1 - momentum) * rm[ch]! + momentum * mu;
        rv[ch] = (1 - momentum) * rv[ch]! + momentum * ((vr * count) / Math.max(count - 1, 1));
      }
    }
    return {
      y: { dataId: backend.make(y), shape: [...x.shape] },
      mean: { dataId: backend.make(mean), shape: [c] },
      variance: { dataId: backend.make(variance), shape: [c] },
    };
  },
};

export const batchNormInfer: KernelConfig<"BatchNormInfer", CpuBackend> = {
  kernelName: "BatchNormInfer",
  backendName: "cpu",
  kernelFunc: (backend, { x, gamma, beta, mean, variance }, { eps }) => {
    const [n, c, s] = dims(x.shape);
    const xv = backend.values(x.dataId);
    const gv = backend.values(gamma.dataId);
    const bv = backend.values(beta.dataId);
    const mv = backend.values(mean.dataId);
    const vv = backend.values(variance.dataId);
    const y = new Float32Array(xv.length);
    for (let ch = 0; ch < c; ch++) {
      const scale = gv[ch]! / Math.sqrt(vv[ch]! + eps);
      const shift = bv[ch]! - mv[ch]! * scale;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) y[base + j] = xv[base + j]! * scale + shift;
      }
    }
    return { dataId: backend.make(y), shape: [...x.shape] };
  },
};

export const batchNormGrad: KernelConfig<"BatchNormGrad", CpuBackend> = {
  kernelName: "BatchNormGrad",
  backendName: "cpu",
  kernelFunc: (backend, { dy, x, gamma, mean, variance }, { eps, training }) => {
    const [n, c, s] = dims(x.shape);
    const dyv = backend.values(dy.dataId);
    const xv = backend.values(x.dataId);
    const gv = backend.values(gamma.dataId);
    const mv = backend.values(mean.dataId);
    const vv = backend.values(variance.dataId);
    const dx = new Float32Array(xv.length);
    const dgamma = new Float32Array(c);
    const dbeta = new Float32Array(c);
    const count = n * s;
    for (let ch = 0; ch < c; ch++) {
      const mu = mv[ch]!;
      const invStd = 1 / Math.sqrt(vv[ch]! + eps);
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) {
          const d = dyv[base + j]!;
          sumDy += d;
          sumDyXhat += d * (xv[base + j]! - mu) * invStd;
        }
      }
      dgamma[ch] = sumDyXhat;
      dbeta[ch] = sumDy;
      const k = gv[ch]! * invStd;
      const meanDy = training ? sumDy / count : 0;
      const meanDyXhat = training ? sumDyXhat / count : 0;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * s;
        for (let j = 0; j < s; j++) {
          const xhat = (xv[base + j]! - mu) * invStd;
          dx[base + j] = k * (dyv[base + j]! - meanDy - xhat * meanDyXhat);
        }
      }
    }
    return {
      dx: { dataId: backend.make(dx), shape: [...x.shape] },
      dgamma: { dataId: backend.make(dgamma), shape: [c] },
      dbeta: { dataId: backend.make(dbeta), shape: [c] },
    };
  },
};
