// Helpers shared by every kernel: argument blocks and splitting work between threads.
// Every exported kernel has the signature (tid, nt, args): thread `tid` of `nt` does its share of
// the work described by the i32/f32 words at `args` (written by the JS side: src/runtime.ts run()).

/** The i-th argument word as i32. */
// @ts-ignore: decorator
@inline export function ai(args: usize, i: i32): i32 {
  return load<i32>(args + (<usize>i << 2));
}

/** The i-th argument word as a pointer. */
// @ts-ignore: decorator
@inline export function ap(args: usize, i: i32): usize {
  return <usize>load<u32>(args + (<usize>i << 2));
}

/** The i-th argument word as f32. */
// @ts-ignore: decorator
@inline export function af(args: usize, i: i32): f32 {
  return load<f32>(args + (<usize>i << 2));
}

/** Start of thread tid's share of [0, n) split into nt parts, in units of `unit`. */
// @ts-ignore: decorator
@inline export function splitStart(n: i32, tid: i32, nt: i32, unit: i32): i32 {
  const units = (n + unit - 1) / unit;
  const per = units / nt;
  const extra = units % nt;
  const start = tid * per + min(tid, extra);
  return min(start * unit, n);
}

/** End of thread tid's share (see splitStart). */
// @ts-ignore: decorator
@inline export function splitEnd(n: i32, tid: i32, nt: i32, unit: i32): i32 {
  return splitStart(n, tid + 1, nt, unit);
}

/** a * b + c, fused where relaxed SIMD is compiled in. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
