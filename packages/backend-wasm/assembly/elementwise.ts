// Elementwise kernels, the bias broadcast along axis 1 and the reductions; SIMD over contiguous ranges.
import { af, ai, ap, splitEnd, splitStart } from "./common";
import { BiasAdd, Binary, ChannelSum, Relu, ReluGrad, Scale, Sum, Zero } from "./generated/abi";

/** Sum of len floats at p, accumulated in f32x4 over short chunks and in f64 across them. */
export function sumRange(p: usize, len: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= len) {
    const end = min(len & ~3, i + 256);
    let acc = f32x4.splat(0);
    for (; i < end; i += 4) acc = f32x4.add(acc, v128.load(p + (<usize>i << 2)));
    total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1);
    total += <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  }
  for (; i < len; i++) total += <f64>load<f32>(p + (<usize>i << 2));
  return total;
}

/** a (op) b for op 0 add, 1 sub, 2 mul. */
export function k_binary(tid: i32, nt: i32, args: usize): void {
  const a = ap(args, Binary.a), b = ap(args, Binary.b), out = ap(args, Binary.out), len = ai(args, Binary.len), op = ai(args, Binary.op);
  const i0 = splitStart(len, tid, nt, 4), i1 = splitEnd(len, tid, nt, 4);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(a + o), y = v128.load(b + o);
    v128.store(out + o, op == 0 ? f32x4.add(x, y) : op == 1 ? f32x4.sub(x, y) : f32x4.mul(x, y));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(a + o), y = load<f32>(b + o);
    store<f32>(out + o, op == 0 ? x + y : op == 1 ? x - y : x * y);
  }
}

/** x * scalar. */
export function k_scale(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, Scale.x), out = ap(args, Scale.out), len = ai(args, Scale.len), s = af(args, Scale.scalar);
  const sv = f32x4.splat(s);
  const i0 = splitStart(len, tid, nt, 4), i1 = splitEnd(len, tid, nt, 4);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(out + (<usize>i << 2), f32x4.mul(v128.load(x + (<usize>i << 2)), sv));
  for (; i < i1; i++) store<f32>(out + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * s);
}

/** max(x, 0), NaN staying NaN (as the reference and PyTorch). */
export function k_relu(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, Relu.x), out = ap(args, Relu.out), len = ai(args, Relu.len);
  const zero = f32x4.splat(0);
  const i0 = splitStart(len, tid, nt, 4), i1 = splitEnd(len, tid, nt, 4);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(out + (<usize>i << 2), f32x4.max(v128.load(x + (<usize>i << 2)), zero));
  for (; i < i1; i++) store<f32>(out + (<usize>i << 2), max<f32>(load<f32>(x + (<usize>i << 2)), 0));
}

/** dy where y > 0, else 0. */
export function k_reluGrad(tid: i32, nt: i32, args: usize): void {
  const dy = ap(args, ReluGrad.dy), y = ap(args, ReluGrad.y), out = ap(args, ReluGrad.out), len = ai(args, ReluGrad.len);
  const zero = f32x4.splat(0);
  const i0 = splitStart(len, tid, nt, 4), i1 = splitEnd(len, tid, nt, 4);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

/** x [n, c, inner] + b [c]; threads split the n*c planes. */
export function k_biasAdd(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, BiasAdd.x), b = ap(args, BiasAdd.b), out = ap(args, BiasAdd.out), n = ai(args, BiasAdd.n), c = ai(args, BiasAdd.c), inner = ai(args, BiasAdd.inner);
  const p0 = splitStart(n * c, tid, nt, 1), p1 = splitEnd(n * c, tid, nt, 1);
  for (let plane = p0; plane < p1; plane++) {
    const bias = load<f32>(b + (<usize>(plane % c) << 2));
    const bv = f32x4.splat(bias);
    const base = <usize>plane * <usize>inner;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = (base + <usize>i) << 2;
      v128.store(out + o, f32x4.add(v128.load(x + o), bv));
    }
    for (; i < inner; i++) {
      const o = (base + <usize>i) << 2;
      store<f32>(out + o, load<f32>(x + o) + bias);
    }
  }
}

/** Sum over every axis but 1 of x [n, c, inner]; threads split channels. */
export function k_channelSum(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, ChannelSum.x), out = ap(args, ChannelSum.out), n = ai(args, ChannelSum.n), c = ai(args, ChannelSum.c), inner = ai(args, ChannelSum.inner);
  const c0 = splitStart(c, tid, nt, 1), c1 = splitEnd(c, tid, nt, 1);
  for (let ch = c0; ch < c1; ch++) {
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += sumRange(x + ((<usize>(i * c + ch) * <usize>inner) << 2), inner);
    store<f32>(out + (<usize>ch << 2), <f32>s);
  }
}

/** Sum of all elements into out[0]; thread 0 only. */
export function k_sum(tid: i32, nt: i32, args: usize): void {
  if (tid != 0) return;
  store<f32>(ap(args, Sum.out), <f32>sumRange(ap(args, Sum.x), ai(args, Sum.len)));
}

/** Zeroes `len` floats at p. (A TypedArray fill over shared memory is several times slower.) */
export function k_zero(tid: i32, nt: i32, args: usize): void {
  const p = ap(args, Zero.p), len = ai(args, Zero.len);
  const i0 = splitStart(len, tid, nt, 16), i1 = splitEnd(len, tid, nt, 16);
  memory.fill(p + (<usize>i0 << 2), 0, <usize>(i1 - i0) << 2);
}
