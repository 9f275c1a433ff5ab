// The bilinear resize (align_corners = False); threads split the n*c planes, which are independent.
import { ai, ap, splitEnd, splitStart } from "./common";
import { ResizeBilinear } from "./generated/abi";

/** Bilinear resize, align_corners = False. */
export function k_resizeBilinear(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, ResizeBilinear.x), out = ap(args, ResizeBilinear.out);
  const n = ai(args, ResizeBilinear.n), c = ai(args, ResizeBilinear.c), h = ai(args, ResizeBilinear.h), w = ai(args, ResizeBilinear.w), oh = ai(args, ResizeBilinear.oh), ow = ai(args, ResizeBilinear.ow);
  const ry = <f64>h / <f64>oh, rx = <f64>w / <f64>ow;
  const p0 = splitStart(n * c, tid, nt, 1), p1 = splitEnd(n * c, tid, nt, 1);
  for (let plane = p0; plane < p1; plane++) {
    const base = plane * h * w;
    let o = plane * oh * ow;
    for (let i = 0; i < oh; i++) {
      const sy = max((<f64>i + 0.5) * ry - 0.5, 0);
      const ly = min(<i32>Math.floor(sy), h - 1);
      const hy = min(ly + 1, h - 1);
      const fy = <f32>(sy - <f64>ly);
      const r0 = base + ly * w, r1 = base + hy * w;
      for (let j = 0; j < ow; j++, o++) {
        const sx = max((<f64>j + 0.5) * rx - 0.5, 0);
        const lx = min(<i32>Math.floor(sx), w - 1);
        const hx = min(lx + 1, w - 1);
        const fx = <f32>(sx - <f64>lx);
        const top = load<f32>(x + (<usize>(r0 + lx) << 2)) * (1 - fx) + load<f32>(x + (<usize>(r0 + hx) << 2)) * fx;
        const bottom = load<f32>(x + (<usize>(r1 + lx) << 2)) * (1 - fx) + load<f32>(x + (<usize>(r1 + hx) << 2)) * fx;
        store<f32>(out + (<usize>o << 2), top * (1 - fy) + bottom * fy);
      }
    }
  }
}
