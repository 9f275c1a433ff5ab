/** Pooling kernels: max pool (and its gradient to the first maximum) and adaptive average pool. */
import type { KernelConfig } from "../backend.js";
import { windowOutSize } from "../kernels.js";
import type { CpuBackend } from "./backend.js";

/** Calls `visit(outIndex, argmaxIndex)` for every output cell of a max pool over x. */
function maxPoolScan(
  xv: Float32Array,
  shape: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  pad: readonly number[],
  visit: (out: number, argmax: number, max: number) => void,
): number[] {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [kh, kw] = kernel as [number, number];
  const [sh, sw] = stride as [number, number];
  const [ph, pw] = pad as [number, number];
  const oh = windowOutSize(h, kh, sh, ph);
  const ow = windowOutSize(w, kw, sw, pw);
  let out = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let y = 0; y < oh; y++) {
      const y0 = Math.max(y * sh - ph, 0);
      const y1 = Math.min(y * sh - ph + kh, h);
      for (let xo = 0; xo < ow; xo++, out++) {
        const x0 = Math.max(xo * sw - pw, 0);
        const x1 = Math.min(xo * sw - pw + kw, w);
        let best = -Infinity;
        let arg = -1;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const v = xv[base + iy * w + ix]!;
            if (v > best || arg < 0) {
              best = v;
              arg = base + iy * w + ix;
            }
          }
        }
        visit(out, arg, best);
      }
    }
  }
  return [n, c, oh, ow];
}

export const maxPool: KernelConfig<"MaxPool", CpuBackend> = {
  kernelName: "MaxPool",
  backendName: "cpu",
  kernelFunc: (backend, { x }, { kernel, stride, pad }) => {
    const xv = backend.values(x.dataId);
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const oh = windowOutSize(h, kernel[0], stride[0], pad[0]);
    const ow = windowOutSize(w, kernel[1], stride[1], pad[1]);
    const y = new Float32Array(n * c * oh * ow);
    const shape = maxPoolScan(xv, x.shape, kernel, stride, pad, (out, _arg, max) => {
      y[out] = max;
    });
    return { dataId: backend.make(y), shape };
  },
};

export const maxPoolGrad: KernelConfig<"MaxPoolGrad", CpuBackend> = {
  kernelName: "MaxPoolGrad",
  backendName: "cpu",
  kernelFunc: (backend, { dy, x }, { kernel, stride, pad }) => {
    const xv = backend.values(x.dataId);
    const dyv = backend.values(dy.dataId);
    const dx = new Float32Array(xv.length);
    maxPoolScan(xv, x.shape, kernel, stride, pad, (out, arg) => {
      dx[arg]! += dyv[out]!;
    });
    return { dataId: backend.make(dx), shape: [...x.shape] };
  },
};

/** PyTorch's adaptive window along one axis: [floor(i*in/out), ceil((i+1)*in/out)). */
const windowStart = (i: number, inSize: number, outSize: number) => Math.floor((i * inSize) / outSize);
const windowEnd = (i: number, inSize: number, outSize: number) => Math.ceil(((i + 1) * inSize) / outSize);

/** Calls `visit(outIndex, inIndex, 1 / windowArea)` for every (output cell, input cell in its window). */
function adaptiveScan(
  shape: readonly number[],
  outSize: readonly number[],
  visit: (out: number, input: number, weight: number) => void,
): void {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [oh, ow] = outSize as [number, number];
  let out = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let y = 0; y < oh; y++) {
      const y0 = windowStart(y, h, oh);
      const y1 = windowEnd(y, h, oh);
      for (let xo = 0; xo < ow; xo++, out++) {
        const x0 = windowStart(xo, w, ow);
        const x1 = windowEnd(xo, w, ow);
        const weight = 1 / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++)
          for (let ix = x0; ix < x1; ix++) visit(out, base + iy * w + ix, weight);
      }
    }
  }
}

export const adaptiveAvgPool: KernelConfig<"AdaptiveAvgPool", CpuBackend> = {
  kernelName: "AdaptiveAvgPool",
  backendName: "cpu",
  kernelFunc: (backend, { x }, { outSize }) => {
    const xv = backend.values(x.dataId);
    const [n, c] = x.shape as [number, number];
    const y = new Float32Array(n * c * outSize[0] * outSize[1]);
    adaptiveScan(x.shape, outSize, (out, input, weight) => {
      y[out]! += xv[input]! * weight;
    });
    return { dataId: backend.make(y), shape: [n, c, outSize[0], outSize[1]] };
  },
};

export const adaptiveAvgPoolGrad: KernelConfig<"AdaptiveAvgPoolGrad", CpuBackend> = {
  kernelName: "AdaptiveAvgPoolGrad",
  backendName: "cpu",
  kernelFunc: (backend, { dy }, { xShape }) => {
    const dyv = backend.values(dy.dataId);
    const dx = new Float32Array(xShape.reduce((a, b) => a * b, 1));
    adaptiveScan(xShape, [dy.shape[2]!, dy.shape[3]!], (out, input, weight) => {
      dx[input]! += dyv[out]! * weight;
    });
    return { dataId: backend.make(dx), shape: [...xShape] };
  },
};
