/** Bilinear resize with PyTorch's align_corners=False (used to upscale images, e.g. 28 -> 96). */
import { runKernel } from "../engine.js";
import type { Pair } from "../kernels.js";
import { assertRank, fmt, pair } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { info, wrap } from "./record.js";

/** x [N,C,H,W] -> [N,C,OH,OW]. Not differentiated (data preprocessing). */
export function resizeBilinear(x: Tensor, size: number | Pair): Tensor {
  assertRank("resizeBilinear", "input", x.shape, 4);
  const out = pair(size);
  if (out.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`resizeBilinear: size ${fmt(out)} must be integers >= 1`);
  }
  return wrap(runKernel("ResizeBilinear", { x: info("resizeBilinear", x) }, { size: out }));
}
