// Batch norm kernels: threads split the channels; each channel is N planes of `inner` floats.
import { af, ai, ap, splitEnd, splitStart } from "./common";
import { BnGrad, BnInfer, BnTrain } from "./generated/abi";

// A channel's two sums, from channelSums: each in f32x4 over short chunks, added up in f64.
let g_s1: f64 = 0;
let g_s2: f64 = 0;

/**
 * One pass over a channel's planes of a (and b): with b == 0, g_s1 = sum(a - k), g_s2 = sum((a - k)^2)
 * (shifted by k, a value of the channel, so the variance needs no second pass and does not cancel);
 * otherwise g_s1 = sum(a), g_s2 = sum(a * (b - k)).
 */
function channelSums(a: usize, b: usize, n: i32, c: i32, inner: i32, ch: i32, k: f32): void {
  const kv = f32x4.splat(k);
  const paired = b != 0;
  let s1: f64 = 0, s2: f64 = 0;
  for (let i = 0; i < n; i++) {
    const off = (<usize>(i * c + ch) * <usize>inner) << 2;
    let j = 0;
    while (j + 4 <= inner) {
      const end = min(inner & ~3, j + 256);
      let acc1 = f32x4.splat(0), acc2 = f32x4.splat(0);
      for (; j < end; j += 4) {
        const o = off + (<usize>j << 2);
        if (paired) {
          const v = v128.load(a + o);
          acc1 = f32x4.add(acc1, v);
          acc2 = f32x4.add(acc2, f32x4.mul(v, f32x4.sub(v128.load(b + o), kv)));
        } else {
          const d = f32x4.sub(v128.load(a + o), kv);
          acc1 = f32x4.add(acc1, d);
          acc2 = f32x4.add(acc2, f32x4.mul(d, d));
        }
      }
      s1 += <f64>f32x4.extract_lane(acc1, 0) + <f64>f32x4.extract_lane(acc1, 1);
      s1 += <f64>f32x4.extract_lane(acc1, 2) + <f64>f32x4.extract_lane(acc1, 3);
      s2 += <f64>f32x4.extract_lane(acc2, 0) + <f64>f32x4.extract_lane(acc2, 1);
      s2 += <f64>f32x4.extract_lane(acc2, 2) + <f64>f32x4.extract_lane(acc2, 3);
    }
    for (; j < inner; j++) {
      const o = off + (<usize>j << 2);
      const v = <f64>load<f32>(a + o);
      if (paired) {
        s1 += v;
        s2 += v * (<f64>load<f32>(b + o) - <f64>k);
      } else {
        s1 += v - <f64>k;
        s2 += (v - <f64>k) * (v - <f64>k);
      }
    }
  }
  g_s1 = s1;
  g_s2 = s2;
}

/**
 * y = (x - mu) * scale + beta over one channel's planes, mu (f64) as an f32 pair hi + lo: x - hi is exact
 * for x near mu, so y stays accurate when the values sit far from zero with a small spread (where
 * x * scale + shift, or mu rounded to f32, would lose the digits that matter).
 */
function affine(x: usize, y: usize, n: i32, c: i32, inner: i32, ch: i32, mu: f64, scale: f32, beta: f32): void {
  const hi = <f32>mu, lo = <f32>(mu - <f64>hi);
  const hv = f32x4.splat(hi), lv = f32x4.splat(lo), sv = f32x4.splat(scale), bv = f32x4.splat(beta);
  for (let i = 0; i < n; i++) {
    const off = (<usize>(i * c + ch) * <usize>inner) << 2;
    let j = 0;
    for (; j + 4 <= inner; j += 4) {
      const o = off + (<usize>j << 2);
      const d = f32x4.sub(f32x4.sub(v128.load(x + o), hv), lv);
      v128.store(y + o, f32x4.add(f32x4.mul(d, sv), bv));
    }
    for (; j < inner; j++) {
      const o = off + (<usize>j << 2);
      store<f32>(y + o, (load<f32>(x + o) - hi - lo) * scale + beta);
    }
  }
}

/** Training batch norm. */
export function k_bnTrain(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, BnTrain.x), gamma = ap(args, BnTrain.gamma), beta = ap(args, BnTrain.beta), rm = ap(args, BnTrain.runningMean), rv = ap(args, BnTrain.runningVar);
  const y = ap(args, BnTrain.y), meanOut = ap(args, BnTrain.mean), varOut = ap(args, BnTrain.variance);
  const n = ai(args, BnTrain.n), c = ai(args, BnTrain.c), inner = ai(args, BnTrain.inner);
  const eps = <f64>af(args, BnTrain.eps), momentum = <f64>af(args, BnTrain.momentum);
  const count = <f64>n * <f64>inner;
  const c0 = splitStart(c, tid, nt, 1), c1 = splitEnd(c, tid, nt, 1);
  for (let ch = c0; ch < c1; ch++) {
    const k = load<f32>(x + ((<usize>(ch * inner)) << 2));
    channelSums(x, 0, n, c, inner, ch, k);
    const d = g_s1 / count;
    const mu = <f64>k + d;
    const vr = max(g_s2 / count - d * d, 0);
    const o4 = <usize>ch << 2;
    store<f32>(meanOut + o4, <f32>mu);
    store<f32>(varOut + o4, <f32>vr);
    const scale = <f64>load<f32>(gamma + o4) / Math.sqrt(vr + eps);
    affine(x, y, n, c, inner, ch, mu, <f32>scale, load<f32>(beta + o4));
    if (momentum > 0) {
      store<f32>(rm + o4, <f32>((1 - momentum) * <f64>load<f32>(rm + o4) + momentum * mu));
      const unbiased = (vr * count) / max(count - 1, 1);
      store<f32>(rv + o4, <f32>((1 - momentum) * <f64>load<f32>(rv + o4) + momentum * unbiased));
    }
  }
}

/** Inference batch norm. */
export function k_bnInfer(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, BnInfer.x), gamma = ap(args, BnInfer.gamma), beta = ap(args, BnInfer.beta), mean = ap(args, BnInfer.mean), vari = ap(args, BnInfer.variance);
  const y = ap(args, BnInfer.y), n = ai(args, BnInfer.n), c = ai(args, BnInfer.c), inner = ai(args, BnInfer.inner), eps = <f64>af(args, BnInfer.eps);
  const c0 = splitStart(c, tid, nt, 1), c1 = splitEnd(c, tid, nt, 1);
  for (let ch = c0; ch < c1; ch++) {
    const o4 = <usize>ch << 2;
    const scale = <f64>load<f32>(gamma + o4) / Math.sqrt(<f64>load<f32>(vari + o4) + eps);
    affine(x, y, n, c, inner, ch, <f64>load<f32>(mean + o4), <f32>scale, load<f32>(beta + o4));
  }
}

/** Batch norm gradient. */
export function k_bnGrad(tid: i32, nt: i32, args: usize): void {
  const dy = ap(args, BnGrad.dy), x = ap(args, BnGrad.x), gamma = ap(args, BnGrad.gamma), mean = ap(args, BnGrad.mean), vari = ap(args, BnGrad.variance);
  const dx = ap(args, BnGrad.dx), dgamma = ap(args, BnGrad.dgamma), dbeta = ap(args, BnGrad.dbeta);
  const n = ai(args, BnGrad.n), c = ai(args, BnGrad.c), inner = ai(args, BnGrad.inner), eps = <f64>af(args, BnGrad.eps), training = ai(args, BnGrad.training);
  const count = <f64>n * <f64>inner;
  const c0 = splitStart(c, tid, nt, 1), c1 = splitEnd(c, tid, nt, 1);
  for (let ch = c0; ch < c1; ch++) {
    const o4 = <usize>ch << 2;
    const mu = load<f32>(mean + o4);
    const invStd = 1 / Math.sqrt(<f64>load<f32>(vari + o4) + eps);
    channelSums(dy, x, n, c, inner, ch, mu);
    const sumDy = g_s1;
    const sumDyXhat = g_s2 * invStd;
    store<f32>(dgamma + o4, <f32>sumDyXhat);
    store<f32>(dbeta + o4, <f32>sumDy);
    const k = <f64>load<f32>(gamma + o4) * invStd;
    const meanDy = training ? sumDy / count : 0;
    const q = training ? (sumDyXhat / count) * invStd : 0;
    // dx = k * (dy - meanDy - (x - mu) * q)
    const kv = f32x4.splat(<f32>k), mdv = f32x4.splat(<f32>meanDy), qv = f32x4.splat(<f32>q), mv = f32x4.splat(mu);
    for (let i = 0; i < n; i++) {
      const off = (<usize>(i * c + ch) * <usize>inner) << 2;
      let j = 0;
      for (; j + 4 <= inner; j += 4) {
        const o = off + (<usize>j << 2);
        const t = f32x4.sub(f32x4.sub(v128.load(dy + o), mdv), f32x4.mul(f32x4.sub(v128.load(x + o), mv), qv));
        v128.store(dx + o, f32x4.mul(kv, t));
      }
      for (; j < inner; j++) {
        const o = off + (<usize>j << 2);
        const t = load<f32>(dy + o) - <f32>meanDy - (load<f32>(x + o) - mu) * <f32>q;
        store<f32>(dx + o, <f32>k * t);
      }
    }
  }
}
