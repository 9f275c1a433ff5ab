/** Pooling: max pool (first maximum takes the gradient) and adaptive average pool, as PyTorch. */
import { runKernel } from "../engine.js";
import { type Pair, windowOutSize } from "../kernels.js";
import { assertRank, fmt, pair } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { info, record, wrap } from "./record.js";

export interface MaxPoolOptions {
  stride?: number | Pair;
  padding?: number | Pair;
}

export function maxPool2d(x: Tensor, kernelSize: number | Pair, options: MaxPoolOptions = {}): Tensor {
  assertRank("maxPool2d", "input", x.shape, 4);
  const kernel = pair(kernelSize);
  const stride = pair(options.stride ?? kernelSize);
  const pad = pair(options.padding ?? 0);
  for (let i = 0; i < 2; i++) {
    if (!Number.isInteger(kernel[i]) || kernel[i]! < 1 || !Number.isInteger(stride[i]) || stride[i]! < 1) {
      throw new Error(`maxPool2d: kernel ${fmt(kernel)} and stride ${fmt(stride)} must be integers >= 1`);
    }
    if (!Number.isInteger(pad[i]) || pad[i]! < 0 || pad[i]! > kernel[i]! / 2) {
      throw new Error(
        `maxPool2d: padding ${fmt(pad)} must be integers between 0 and half the kernel ${fmt(kernel)}`,
      );
    }
    if (windowOutSize(x.shape[2 + i]!, kernel[i]!, stride[i]!, pad[i]!) < 1) {
      throw new Error(`maxPool2d: kernel ${fmt(kernel)} does not fit input ${fmt(x.shape)}`);
    }
  }
  const attrs = { kernel, stride, pad };
  const out = runKernel("MaxPool", { x: info("maxPool2d", x) }, attrs);
  return record(out, "maxPool2d", [x], [x], (dy) => [
    wrap(runKernel("MaxPoolGrad", { dy: info("maxPool2d", dy), x: info("maxPool2d", x) }, attrs)),
  ]);
}

/** Averages x [N,C,H,W] into [N,C,OH,OW] windows (PyTorch's AdaptiveAvgPool2d). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | Pair): Tensor {
  assertRank("adaptiveAvgPool2d", "input", x.shape, 4);
  const outSize = pair(outputSize);
  if (outSize.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`adaptiveAvgPool2d: output size ${fmt(outSize)} must be integers >= 1`);
  }
  const out = runKernel("AdaptiveAvgPool", { x: info("adaptiveAvgPool2d", x) }, { outSize });
  return record(out, "adaptiveAvgPool2d", [x], [], (dy) => [
    wrap(runKernel("AdaptiveAvgPoolGrad", { dy: info("adaptiveAvgPool2d", dy) }, { xShape: x.shape })),
  ]);
}
