// What the Winograd transforms of F(2x2, 3x3) (winograd.ts), F(3x3, 3x3) (winograd3.ts) and F(4x4, 3x3)
// (winograd4.ts) share: where a transformed value lands in the GEMM's packed layouts, the padded input
// planes and the filters' taps. A value (xi, row r, column q) lands at
// xi*sXi + (r >> rShift)*sRP + (r & rMask)*sRL + (q >> 3)*sQP + (q & 7)*sQL floats, the strides chosen by
// the JS side for A panels (MR rows) or B panels (NR columns) (src/kernels/winograd.ts).
import { ai } from "./common";
import { WinoLayout as L } from "./generated/abi";

/**
 * Floats from one transformed matrix to the next: its size plus 32. Sizes are often multiples of 4 KiB,
 * and 16 or 36 streams 4 KiB apart all map to the same cache sets (measured: the input transform took as
 * long as the GEMM); 128 bytes more per matrix spreads them. The JS side uses the same spacing.
 */
// @ts-ignore: decorator
@inline export function spaced(floats: i32): usize {
  return <usize>floats + 32;
}

// Layout words shared by the transforms (kernel-abi.json's winoLayout, after each kernel's own words).
export let l_xi = 0, l_rShift = 0, l_rp = 0, l_rl = 0, l_qp = 0, l_ql = 0;

export function readLayout(args: usize, at: i32): void {
  l_xi = ai(args, at + L.xi); l_rShift = ai(args, at + L.rShift); l_rp = ai(args, at + L.rp);
  l_rl = ai(args, at + L.rl); l_qp = ai(args, at + L.qp); l_ql = ai(args, at + L.ql);
}

/** Float offset of (row r, column q) within one xi's matrix. */
// @ts-ignore: decorator
@inline export function at(r: i32, q: i32): usize {
  const mask = (1 << l_rShift) - 1;
  return <usize>((r >> l_rShift) * l_rp + (r & mask) * l_rl + (q >> 3) * l_qp + (q & 7) * l_ql);
}

/** Stores lane k of `vals` as matrix xi0 + k*xiStep's value at (r, q) (the transforms keep tiles in registers). */
// @ts-ignore: decorator
@inline export function put4(dst: usize, r: i32, q: i32, vals: v128, xi0: i32, xiStep: i32): void {
  const p = dst + ((at(r, q) + <usize>(xi0 * l_xi)) << 2);
  const step = <usize>(xiStep * l_xi) << 2;
  v128.store32_lane(p, vals, 0);
  v128.store32_lane(p + step, vals, 1);
  v128.store32_lane(p + 2 * step, vals, 2);
  v128.store32_lane(p + 3 * step, vals, 3);
}

/** Zeros for row r, column q in all `mats` matrices. */
// @ts-ignore: decorator
@inline export function zeroN(dst: usize, r: i32, q: i32, mats: i32): void {
  let p = dst + (at(r, q) << 2);
  const step = <usize>l_xi << 2;
  for (let i = 0; i < mats; i++) {
    store<f32>(p, 0);
    p += step;
  }
}

/** Zeros for rows [r0, r1) x columns [q0, q1) in all `mats` matrices (the GEMMs' padding rows and columns). */
export function zeroBlock(dst: usize, r0: i32, r1: i32, q0: i32, q1: i32, mats: i32): void {
  for (let r = r0; r < r1; r++) for (let q = q0; q < q1; q++) zeroN(dst, r, q, mats);
}

/** Stores lane k < lanes of `vals` as matrix xi's value at (r, q + k). */
// @ts-ignore: decorator
@inline export function putQ4(dst: usize, r: i32, q: i32, lanes: i32, xi: i32, vals: v128): void {
  const base = dst + (<usize>(xi * l_xi) << 2);
  if (lanes == 4 && l_ql == 1 && (q & 7) <= 4) {
    v128.store(base + (at(r, q) << 2), vals);
    return;
  }
  v128.store32_lane(base + (at(r, q) << 2), vals, 0);
  if (lanes > 1) v128.store32_lane(base + (at(r, q + 1) << 2), vals, 1);
  if (lanes > 2) v128.store32_lane(base + (at(r, q + 2) << 2), vals, 2);
  if (lanes > 3) v128.store32_lane(base + (at(r, q + 3) << 2), vals, 3);
}

/** putQ4, or when out != 0 the vector into out's slot xi (16 bytes each) for putQuad. */
// @ts-ignore: decorator
@inline export function putOr(dst: usize, r: i32, q: i32, lanes: i32, xi: i32, vals: v128, out: usize): void {
  if (out != 0) v128.store(out + (<usize>xi << 4), vals);
  else putQ4(dst, r, q, lanes, xi, vals);
}

/**
 * Stores n <= 4 rows' transformed tiles, rows r to r + n - 1 (r a multiple of 4, rows adjacent in the
 * layout: the filter gradient's, where rows are channels side by side), columns q to q + lanes - 1: row r +
 * j's vectors (lane t: column q + t) are at src + (j * mats + xi) * 16. Each matrix's four rows x four
 * columns are transposed so that one vector store writes a column's four rows, instead of four lane stores
 * writing a row's four columns.
 */
export function putQuad(dst: usize, r: i32, q: i32, lanes: i32, n: i32, src: usize, mats: i32): void {
  const step = <usize>l_xi << 2, rowStep = <usize>mats << 4;
  const b0 = dst + (at(r, q) << 2), b1 = dst + (at(r, q + 1) << 2);
  const b2 = dst + (at(r, q + 2) << 2), b3 = dst + (at(r, q + 3) << 2);
  const zero = f32x4.splat(0);
  for (let xi = 0; xi < mats; xi++) {
    const s = src + (<usize>xi << 4), d = <usize>xi * step;
    const a0 = v128.load(s), a1 = n > 1 ? v128.load(s + rowStep) : zero;
    const a2 = n > 2 ? v128.load(s + 2 * rowStep) : zero, a3 = n > 3 ? v128.load(s + 3 * rowStep) : zero;
    const x = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), y = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
    const z = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7), w = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
    v128.store(b0 + d, v128.shuffle<f64>(x, y, 0, 2));
    if (lanes > 1) v128.store(b1 + d, v128.shuffle<f64>(x, y, 1, 3));
    if (lanes > 2) v128.store(b2 + d, v128.shuffle<f64>(z, w, 0, 2));
    if (lanes > 3) v128.store(b3 + d, v128.shuffle<f64>(z, w, 1, 3));
  }
}

/** Copies rows [-ph, hp-ph) x columns [-pw, wp-pw) of an h x w plane to dst (hp x wp), zeros outside. */
export function padPlane(src: usize, h: i32, w: i32, ph: i32, pw: i32, dst: usize, hp: i32, wp: i32): void {
  for (let y = 0; y < hp; y++) {
    const iy = y - ph;
    const row = dst + (<usize>(y * wp) << 2);
    if (iy < 0 || iy >= h) {
      memory.fill(row, 0, <usize>wp << 2);
      continue;
    }
    const x0 = min(pw, wp), x1 = min(wp, pw + w);
    memory.fill(row, 0, <usize>x0 << 2);
    if (x1 > x0) memory.copy(row + (<usize>x0 << 2), src + (<usize>(iy * w) << 2), <usize>(x1 - x0) << 2);
    if (wp > x1) memory.fill(row + (<usize>x1 << 2), 0, <usize>(wp - x1) << 2);
  }
}

/** Four values `step` bytes apart, as a vector. */
// @ts-ignore: decorator
@inline export function gather4(p: usize, step: usize): v128 {
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + step, v, 1);
  v = v128.load32_lane(p + 2 * step, v, 2);
  v = v128.load32_lane(p + 3 * step, v, 3);
  return v;
}

/**
 * Lane i < n: tap t (row-major) of the 3x3 filter for row r0 + i and column q of the filter transforms
 * (flip = 0: w is [rows, chans, 3, 3]; flip = 1: [chans, rows, 3, 3], taps reversed); 0 for i >= n.
 */
// @ts-ignore: decorator
@inline export function filterTaps(w: usize, r0: i32, n: i32, q: i32, rows: i32, chans: i32, t: i32, flip: bool): v128 {
  const base = w + ((<usize>(flip ? q * rows + r0 : r0 * chans + q) * 9 + <usize>(flip ? 8 - t : t)) << 2);
  const s = <usize>(flip ? 9 : chans * 9) << 2;
  let v = v128.load32_zero(base);
  if (n > 1) v = v128.load32_lane(base + s, v, 1);
  if (n > 2) v = v128.load32_lane(base + 2 * s, v, 2);
  if (n > 3) v = v128.load32_lane(base + 3 * s, v, 3);
  return v;
}

/** Stores lane i < lanes of `vals` at p + 36 i bytes (the same tap of consecutive 3x3 filters). */
// @ts-ignore: decorator
@inline export function put9(p: usize, lanes: i32, vals: v128): void {
  v128.store32_lane(p, vals, 0);
  if (lanes > 1) v128.store32_lane(p + 36, vals, 1);
  if (lanes > 2) v128.store32_lane(p + 72, vals, 2);
  if (lanes > 3) v128.store32_lane(p + 108, vals, 3);
}

/**
 * First output row and column of tile k of an image (F(3x3) and F(4x4), side m; row-major, tw per tile
 * row). In a unit's block of images, tile k is tile k - i * perImage of image i = k / perImage.
 */
// @ts-ignore: decorator
@inline export function tileRow(k: i32, tw: i32, m: i32): i32 {
  return m * (k / tw);
}
// @ts-ignore: decorator
@inline export function tileCol(k: i32, tw: i32, m: i32): i32 {
  return m * (k - (k / tw) * tw);
}

/** Byte offset of block tile k's window in the block's padded planes (wp columns; images imageBytes apart). */
// @ts-ignore: decorator
@inline export function windowAt(k: i32, perImage: i32, tw: i32, m: i32, wp: i32, imageBytes: usize): usize {
  const i = k / perImage, kk = k - i * perImage;
  return <usize>i * imageBytes + (<usize>(tileRow(kk, tw, m) * wp + tileCol(kk, tw, m)) << 2);
}

/** Lane `lane` of the n vectors at g (16 bytes apart): dy[y][x + j] of an oh x ow plane for j < n, 0 outside it. */
export function blockRowTo(g: usize, plane: usize, y: i32, x: i32, oh: i32, ow: i32, lane: i32, n: i32): void {
  for (let j = 0; j < n; j++) {
    const inside = y < oh && x + j < ow;
    store<f32>(g + <usize>(j * 16 + lane * 4), inside ? load<f32>(plane + (<usize>(y * ow + x + j) << 2)) : 0);
  }
}

/**
 * Images per unit of work of the F(3x3) and F(4x4) transforms: one where an image's tiles are a multiple
 * of four, else four, so that every vector holds four tiles (spanning images where needed: a 3x3 map has
 * one 3x3 tile, a 12x12 map nine 4x4 tiles) and starts at a multiple of four in the GEMM's columns, where
 * one vector store writes it. src/kernels/winograd.ts sizes the padded planes' scratch by the same rule.
 */
// @ts-ignore: decorator
@inline export function imagesPerUnit(perImage: i32): i32 {
  return perImage % 4 == 0 ? 1 : 4;
}
