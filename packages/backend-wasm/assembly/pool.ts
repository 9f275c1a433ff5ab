// Pooling kernels (max pool with its gradient to the first maximum, adaptive average pool); threads
// split the n*c planes, which are independent.
import { ai, ap, splitEnd, splitStart } from "./common";
import { AdaptiveAvgPool, MaxPool } from "./generated/abi";

/** Max pool (grad = 0) or its gradient (grad = 1). */
export function k_maxPool(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, MaxPool.x), dy = ap(args, MaxPool.dy), out = ap(args, MaxPool.out);
  const n = ai(args, MaxPool.n), c = ai(args, MaxPool.c), h = ai(args, MaxPool.h), w = ai(args, MaxPool.w), kh = ai(args, MaxPool.kh), kw = ai(args, MaxPool.kw);
  const sh = ai(args, MaxPool.sh), sw = ai(args, MaxPool.sw), ph = ai(args, MaxPool.ph), pw = ai(args, MaxPool.pw), oh = ai(args, MaxPool.oh), ow = ai(args, MaxPool.ow);
  const grad = ai(args, MaxPool.grad) != 0;
  const p0 = splitStart(n * c, tid, nt, 1), p1 = splitEnd(n * c, tid, nt, 1);
  if (grad) memory.fill(out + ((<usize>p0 * <usize>(h * w)) << 2), 0, (<usize>(p1 - p0) * <usize>(h * w)) << 2);
  // Output columns [xa, xb) have windows inside the row: there four outputs go at once (SIMD lanes).
  const xa = min((pw + sw - 1) / sw, ow), xb = max(xa, min((w - kw + pw) / sw + 1, ow));
  const lanes = i32x4(0, sw, 2 * sw, 3 * sw);
  for (let plane = p0; plane < p1; plane++) {
    const base = plane * h * w;
    const src = x + (<usize>base << 2);
    let o = plane * oh * ow;
    for (let yo = 0; yo < oh; yo++) {
      const y0 = max(yo * sh - ph, 0), y1 = min(yo * sh - ph + kh, h);
      let xo = 0;
      while (xo < ow) {
        if (xo >= xa && xo + 4 <= xb) {
          windows4(src, base, dy, out, o, y0, y1, xo * sw - pw, kw, w, sw, lanes, grad);
          xo += 4;
          o += 4;
          continue;
        }
        window1(src, base, dy, out, o, y0, y1, max(xo * sw - pw, 0), min(xo * sw - pw + kw, w), w, grad);
        xo++;
        o++;
      }
    }
  }
}

/**
 * One window rows [y0, y1) x columns [x0, x1) of a plane: its maximum into out[o], or dy[o] added to
 * dx at its first maximum. The first value stands until a strictly greater one (as the reference, NaNs
 * included).
 */
// @ts-ignore: decorator
@inline function window1(
  src: usize, base: i32, dy: usize, out: usize, o: i32, y0: i32, y1: i32, x0: i32, x1: i32, w: i32, grad: bool,
): void {
  let best = load<f32>(src + (<usize>(y0 * w + x0) << 2));
  let arg = y0 * w + x0;
  for (let iy = y0; iy < y1; iy++) {
    for (let ix = x0; ix < x1; ix++) {
      const v = load<f32>(src + (<usize>(iy * w + ix) << 2));
      if (v > best) {
        best = v;
        arg = iy * w + ix;
      }
    }
  }
  if (!grad) {
    store<f32>(out + (<usize>o << 2), best);
    return;
  }
  const dst = out + (<usize>(base + arg) << 2);
  store<f32>(dst, load<f32>(dst) + load<f32>(dy + (<usize>o << 2)));
}

/** window1 for four outputs o..o+3 whose windows start at columns x0 + lane * sw, all inside the row. */
// @ts-ignore: decorator
@inline function windows4(
  src: usize, base: i32, dy: usize, out: usize, o: i32, y0: i32, y1: i32, x0: i32, kw: i32, w: i32, sw: i32,
  lanes: v128, grad: bool,
): void {
  const step = <usize>sw << 2;
  let best = f32x4.splat(0);
  let arg = i32x4.splat(0);
  let first = true;
  for (let iy = y0; iy < y1; iy++) {
    for (let kx = 0; kx < kw; kx++) {
      const at = iy * w + x0 + kx;
      const p = src + (<usize>at << 2);
      let v: v128;
      if (sw == 1) {
        v = v128.load(p);
      } else {
        v = v128.load32_zero(p);
        v = v128.load32_lane(p + step, v, 1);
        v = v128.load32_lane(p + 2 * step, v, 2);
        v = v128.load32_lane(p + 3 * step, v, 3);
      }
      const idx = i32x4.add(i32x4.splat(at), lanes);
      if (first) {
        best = v;
        arg = idx;
        first = false;
      } else {
        const greater = f32x4.gt(v, best);
        best = v128.bitselect(v, best, greater);
        arg = v128.bitselect(idx, arg, greater);
      }
    }
  }
  if (!grad) {
    v128.store(out + (<usize>o << 2), best);
    return;
  }
  const g = dy + (<usize>o << 2);
  addAt(out, base + i32x4.extract_lane(arg, 0), load<f32>(g));
  addAt(out, base + i32x4.extract_lane(arg, 1), load<f32>(g, 4));
  addAt(out, base + i32x4.extract_lane(arg, 2), load<f32>(g, 8));
  addAt(out, base + i32x4.extract_lane(arg, 3), load<f32>(g, 12));
}

// @ts-ignore: decorator
@inline function addAt(out: usize, i: i32, v: f32): void {
  const dst = out + (<usize>i << 2);
  store<f32>(dst, load<f32>(dst) + v);
}

/** Adaptive average pool (grad = 0: x -> y) or its gradient (grad = 1: dy -> dx). */
export function k_adaptiveAvgPool(tid: i32, nt: i32, args: usize): void {
  const src = ap(args, AdaptiveAvgPool.src), dst = ap(args, AdaptiveAvgPool.dst);
  const n = ai(args, AdaptiveAvgPool.n), c = ai(args, AdaptiveAvgPool.c), h = ai(args, AdaptiveAvgPool.h), w = ai(args, AdaptiveAvgPool.w), oh = ai(args, AdaptiveAvgPool.oh), ow = ai(args, AdaptiveAvgPool.ow);
  const grad = ai(args, AdaptiveAvgPool.grad);
  const p0 = splitStart(n * c, tid, nt, 1), p1 = splitEnd(n * c, tid, nt, 1);
  if (grad) memory.fill(dst + ((<usize>p0 * <usize>(h * w)) << 2), 0, (<usize>(p1 - p0) * <usize>(h * w)) << 2);
  for (let plane = p0; plane < p1; plane++) {
    const base = plane * h * w;
    let o = plane * oh * ow;
    for (let yo = 0; yo < oh; yo++) {
      const y0 = (yo * h) / oh, y1 = ((yo + 1) * h + oh - 1) / oh;
      for (let xo = 0; xo < ow; xo++, o++) {
        const x0 = (xo * w) / ow, x1 = ((xo + 1) * w + ow - 1) / ow;
        const weight = 1 / <f64>((y1 - y0) * (x1 - x0));
        if (grad) {
          const g = <f32>(<f64>load<f32>(src + (<usize>o << 2)) * weight);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const d = dst + (<usize>(base + iy * w + ix) << 2);
              store<f32>(d, load<f32>(d) + g);
            }
          }
        } else {
          let s: f64 = 0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) s += <f64>load<f32>(src + (<usize>(base + iy * w + ix) << 2));
          }
          store<f32>(dst + (<usize>o << 2), <f32>(s * weight));
        }
      }
    }
  }
}
