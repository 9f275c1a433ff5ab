// Batch norm kernels: threads split the channels; each channel is N planes of `inner` floats.
import { af, ai, ap, splitEnd, splitStart } from "./common";
import { sumRange } from "./elementwise";

/** Sum over the channel's planes of (x - mu)^2, f32x4 chunks accumulated in f64. */
function sumSqDev(x: usize, n: i32, c: i32, inner: i32, ch: i32, mu: f32): f64 {
  const mv = f32x4.splat(mu);
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const p = x + ((<usize>(i * c + ch) * <usize>inner) << 2);
    let j = 0;
    while (j + 4 <= inner) {
      const end = min(inner & ~3, j + 256);
      let acc = f32x4.splat(0);
      for (; j < end; j += 4) {
        const d = f32x4.sub(v128.load(p + (<usize>j << 2)), mv);
        acc = f32x4.add(acc, f32x4.mul(d, d));
      }
      total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1);
      total += <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
    }
    for (; j < inner; j++) {
      const d = load<f32>(p + (<usize>j << 2)) - mu;
      total += <f64>(d * d);
    }
  }
  return total;
}

/** Sum over the channel's planes of dy * (x - mu). */
function sumDyDev(dy: usize, x: usize, n: i32, c: i32, inner: i32, ch: i32, mu: f32): f64 {
  const mv = f32x4.splat(mu);
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const off = (<usize>(i * c + ch) * <usize>inner) << 2;
    let j = 0;
    while (j + 4 <= inner) {
      const end = min(inner & ~3, j + 256);
      let acc = f32x4.splat(0);
      for (; j < end; j += 4) {
        const o = off + (<usize>j << 2);
        acc = f32x4.add(acc, f32x4.mul(v128.load(dy + o), f32x4.sub(v128.load(x + o), mv)));
      }
      total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1);
      total += <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
    }
    for (; j < inner; j++) {
      const o = off + (<usize>j << 2);
      total += <f64>(load<f32>(dy + o) * (load<f32>(x + o) - mu));
    }
  }
  return total;
}

/** y = x * scale + shift over one channel's planes. */
function affine(x: usize, y: usize, n: i32, c: i32, inner: i32, ch: i32, scale: f32, shift: f32): void {
  const sv = f32x4.splat(scale), tv = f32x4.splat(shift);
  for (let i = 0; i < n; i++) {
    const off = (<usize>(i * c + ch) * <usize>inner) << 2;
    let j = 0;
    for (; j + 4 <= inner; j += 4) {
      const o = off + (<usize>j << 2);
      v128.store(y + o, f32x4.add(f32x4.mul(v128.load(x + o), sv), tv));
    }
    for (; j < inner; j++) {
      const o = off + (<usize>j << 2);
      store<f32>(y + o, load<f32>(x + o) * scale + shift);
    }
  }
}

/** Training batch norm: args [x, gamma, beta, rm, rv, y, mean, var, n, c, inner, eps, momentum]. */
export function k_bnTrain(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, 0), gamma = ap(args, 1), beta = ap(args, 2), rm = ap(args, 3), rv = ap(args, 4);
  const y = ap(args, 5), meanOut = ap(args, 6), varOut = ap(args, 7);
  const n = ai(args, 8), c = ai(args, 9), inner = ai(args, 10);
  const eps = <f64>af(args, 11), momentum = <f64>af(args, 12);
  const count = <f64>n * <f64>inner;
  const c0 = splitStart(c, tid, nt, 1), c1 = splitEnd(c, tid, nt, 1);
  for (let ch = c0; ch < c1; ch++) {
    let total: f64 = 0;
    for (let i = 0; i < n; i++) total += sumRange(x + ((<usize>(i * c + ch) * <usize>inner) << 2), inner);
    const mu = total / count;
    const vr = sumSqDev(x, n, c, inner, ch, <f32>mu) / count;
    const o4 = <usize>ch << 2;
    store<f32>(meanOut + o4, <f32>mu);
    store<f32>(varOut + o4, <f32>vr);
    const scale = <f64>load<f32>(gamma + o4) / Math.sqrt(vr + eps);
    const shift = <f64>load<f32>(beta + o4) - mu * scale;
    affine(x, y, n, c, inner, ch, <f32>scale, <f32>shift);
    if (momentum > 0) {
      store<f32>(rm + o4, <f32>((1 - momentum) * <f64>load<f32>(rm + o4) + momentum * mu));
      const unbiased = (vr * count) / max(count - 1, 1);
      store<f32>(rv + o4, <f32>((1 - momentum) * <f64>load<f32>(rv + o4) + momentum * unbiased));
    }
  }
}

/** Inference batch norm: args [x, gamma, beta, mean, var, y, n, c, inner, eps]. */
export function k_bnInfer(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, 0), gamma = ap(args, 1), beta = ap(args, 2), mean = ap(args, 3), vari = ap(args, 4);
  const y = ap(args, 5), n = ai(args, 6), c = ai(args, 7), inner = ai(args, 8), eps = <f64>af(args, 9);
  const c0 = splitStart(c, tid, nt, 1), c1 = splitEnd(c, tid, nt, 1);
  for (let ch = c0; ch < c1; ch++) {
    const o4 = <usize>ch << 2;
    const scale = <f64>load<f32>(gamma + o4) / Math.sqrt(<f64>load<f32>(vari + o4) + eps);
    const shift = <f64>load<f32>(beta + o4) - <f64>load<f32>(mean + o4) * scale;
    affine(x, y, n, c, inner, ch, <f32>scale, <f32>shift);
  }
}

/** Batch norm gradient: args [dy, x, gamma, mean, var, dx, dgamma, dbeta, n, c, inner, eps, training]. */
export function k_bnGrad(tid: i32, nt: i32, args: usize): void {
  const dy = ap(args, 0), x = ap(args, 1), gamma = ap(args, 2), mean = ap(args, 3), vari = ap(args, 4);
  const dx = ap(args, 5), dgamma = ap(args, 6), dbeta = ap(args, 7);
  const n = ai(args, 8), c = ai(args, 9), inner = ai(args, 10), eps = <f64>af(args, 11), training = ai(args, 12);
  const count = <f64>n * <f64>inner;
  const c0 = splitStart(c, tid, nt, 1), c1 = splitEnd(c, tid, nt, 1);
  for (let ch = c0; ch < c1; ch++) {
    const o4 = <usize>ch << 2;
    const mu = load<f32>(mean + o4);
    const invStd = 1 / Math.sqrt(<f64>load<f32>(vari + o4) + eps);
    let sumDy: f64 = 0;
    for (let i = 0; i < n; i++) sumDy += sumRange(dy + ((<usize>(i * c + ch) * <usize>inner) << 2), inner);
    const sumDyXhat = sumDyDev(dy, x, n, c, inner, ch, mu) * invStd;
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
