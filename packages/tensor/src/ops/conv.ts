/** 2-D convolution (PyTorch's cross-correlation, NCHW input, OIHW filter) and its two gradients. */
import { runKernel } from "../engine.js";
import { type Pair, windowOutSize } from "../kernels.js";
import { assertRank, fmt, pair } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { channelSum } from "./linear.js";
import { info, record, wrap } from "./record.js";

export interface Conv2dOptions {
  stride?: number | Pair;
  padding?: number | Pair;
}

export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const stride = pair(options.stride ?? 1);
  const pad = pair(options.padding ?? 0);
  checkConv(x.shape, w.shape, b?.shape ?? null, stride, pad);
  const inputs = { x: info("conv2d", x), w: info("conv2d", w), ...(b ? { b: info("conv2d", b) } : {}) };
  const out = runKernel("Conv2D", inputs, { stride, pad });
  return record(out, "conv2d", b ? [x, w, b] : [x, w], [x, w], (dy) => {
    const dyInfo = info("conv2d", dy);
    return [
      x.requiresGrad
        ? wrap(
            runKernel(
              "Conv2DBackpropInput",
              { dy: dyInfo, w: info("conv2d", w) },
              { xShape: x.shape, stride, pad },
            ),
          )
        : null,
      w.requiresGrad
        ? wrap(
            runKernel(
              "Conv2DBackpropFilter",
              { x: info("conv2d", x), dy: dyInfo },
              { wShape: w.shape, stride, pad },
            ),
          )
        : null,
      b?.requiresGrad ? channelSum(dy) : null,
    ];
  });
}

function checkConv(
  x: readonly number[],
  w: readonly number[],
  b: readonly number[] | null,
  stride: Pair,
  pad: Pair,
): void {
  assertRank("conv2d", "input", x, 4);
  assertRank("conv2d", "weight", w, 4);
  const [, c, h, wd] = x as [number, number, number, number];
  const [o, ci, kh, kw] = w as [number, number, number, number];
  if (c !== ci) {
    throw new Error(`conv2d: input ${fmt(x)} has ${c} channels but weight ${fmt(w)} expects ${ci}`);
  }
  if (b && (b.length !== 1 || b[0] !== o))
    throw new Error(`conv2d: bias must have shape [${o}], got ${fmt(b)}`);
  for (const s of stride) {
    if (!Number.isInteger(s) || s < 1)
      throw new Error(`conv2d: stride must be integers >= 1, got ${fmt(stride)}`);
  }
  for (const p of pad) {
    if (!Number.isInteger(p) || p < 0)
      throw new Error(`conv2d: padding must be integers >= 0, got ${fmt(pad)}`);
  }
  const oh = windowOutSize(h, kh, stride[0], pad[0]);
  const ow = windowOutSize(wd, kw, stride[1], pad[1]);
  if (oh < 1 || ow < 1) {
    throw new Error(
      `conv2d: kernel ${kh}x${kw} with padding ${fmt(pad)} does not fit input ${h}x${wd} (output ${oh}x${ow})`,
    );
  }
}
