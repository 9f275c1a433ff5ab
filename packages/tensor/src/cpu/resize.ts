/** Bilinear resize, align_corners=False (PyTorch's `interpolate(mode='bilinear')`). */
import type { KernelConfig } from "../backend.js";
import type { CpuBackend } from "./backend.js";

/** Source neighbours and the weight of the upper one, for output index `i` along one axis. */
function sourceAxis(outSize: number, inSize: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  const ratio = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = Math.max((i + 0.5) * ratio - 0.5, 0);
    const l = Math.min(Math.floor(src), inSize - 1);
    lo[i] = l;
    hi[i] = Math.min(l + 1, inSize - 1);
    frac[i] = src - l;
  }
  return { lo, hi, frac };
}

export const resizeBilinear: KernelConfig<"ResizeBilinear", CpuBackend> = {
  kernelName: "ResizeBilinear",
  backendName: "cpu",
  kernelFunc: (backend, { x }, { size }) => {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const [oh, ow] = size;
    const xv = backend.values(x.dataId);
    const ys = sourceAxis(oh, h);
    const xs = sourceAxis(ow, w);
    const out = new Float32Array(n * c * oh * ow);
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let i = 0; i < oh; i++) {
        const r0 = base + ys.lo[i]! * w;
        const r1 = base + ys.hi[i]! * w;
        const fy = ys.frac[i]!;
        for (let j = 0; j < ow; j++, o++) {
          const c0 = xs.lo[j]!;
          const c1 = xs.hi[j]!;
          const fx = xs.frac[j]!;
          const top = xv[r0 + c0]! * (1 - fx) + xv[r0 + c1]! * fx;
          const bottom = xv[r1 + c0]! * (1 - fx) + xv[r1 + c1]! * fx;
          out[o] = top * (1 - fy) + bottom * fy;
        }
      }
    }
    return { dataId: backend.make(out), shape: [n, c, oh, ow] };
  },
};
