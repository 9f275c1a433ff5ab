// Winograd F(2x2, 3x3) for stride-1 3x3 convolutions: every 2x2 block of outputs (a tile) is computed
// from its 4x4 input window with 16 elementwise products per (output, input) channel pair instead of
// 36, the 16 products being 16 independent GEMMs over channels (one per transformed position xi):
//   forward        V = B^T d B (input tiles), U = G g G^T (filters), M[xi] = U[xi] V[xi], y = A^T M A
//   filter grad    Z = A dy A^T (output-gradient tiles), S[xi] = Z[xi] V[xi]^T, dw = G^T S G
// (the input gradient is the forward conv of dy with the flipped filters, src/kernels/conv.ts).
// Transformed tiles are written straight into the GEMM's packed layouts (winolayout.ts), so the GEMMs
// pack nothing. The GEMMs serve F(4x4, 3x3) too (winograd4.ts), with 36 matrices instead of 16.
import { ai, ap, splitEnd, splitStart } from "./common";
import { MR, NR, WinoDy, WinoFilter, WinoFilterGrad, WinoGemm, WinoGemmT, WinoInput, WinoOutput } from "./generated/abi";
import { microKernel } from "./gemm";
import { gather4, l_rShift, padPlane, put4, putQ4, readLayout, spaced, zeroBlock, zeroN } from "./winolayout";

/**
 * Input tiles V = B^T d B. Row r is the channel, column q = (image - n0, ty, tx) the tile; rows [c, rows) and
 * columns [nimg*th*tw, cols) are zeros (the GEMM's padding). Threads split (image, group of rows)
 * units; a unit first copies its planes into zero-padded planes in its scratch (2*th + 2 rows of
 * 2*roundUp(tw, 4) + 2), so that every run of four tiles is read without bounds checks, then takes the
 * rows of one panel group innermost, so that each tile's values fill whole cache lines of V.
 */
export function k_winoInput(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, WinoInput.x), v = ap(args, WinoInput.v), n0 = ai(args, WinoInput.n0), nimg = ai(args, WinoInput.nimg), c = ai(args, WinoInput.c);
  const h = ai(args, WinoInput.h), w = ai(args, WinoInput.w), ph = ai(args, WinoInput.ph), pw = ai(args, WinoInput.pw), th = ai(args, WinoInput.th), tw = ai(args, WinoInput.tw);
  const rows = ai(args, WinoInput.rows), cols = ai(args, WinoInput.cols);
  const scratch = ap(args, WinoInput.scratch) + <usize>tid * ap(args, WinoInput.scratchStride);
  readLayout(args, WinoInput.winoLayout);
  const tiles = nimg * th * tw;
  const gs = 1 << l_rShift, groups = (rows + gs - 1) / gs;
  const hp = 2 * th + 2, wp = 2 * ((tw + 3) & ~3) + 2;
  const padBytes = <usize>(hp * wp) << 2, rs = <usize>wp << 2;
  // Units: (image, row group), then one unit per row group for the padding columns.
  const units = nimg * groups + groups;
  const u0 = splitStart(units, tid, nt, 1), u1 = splitEnd(units, tid, nt, 1);
  for (let u = u0; u < u1; u++) {
    if (u >= nimg * groups) {
      const g = u - nimg * groups;
      zeroBlock(v, g * gs, min(rows, g * gs + gs), tiles, cols, 16);
      continue;
    }
    const ni = u / groups, g = u - ni * groups;
    const r0 = g * gs, r1 = min(rows, r0 + gs), rc = min(c, r1);
    const q0 = ni * th * tw;
    zeroBlock(v, max(r0, c), r1, q0, q0 + th * tw, 16);
    for (let r = r0; r < rc; r++) {
      const plane = x + ((<usize>((n0 + ni) * c + r) * <usize>(h * w)) << 2);
      padPlane(plane, h, w, ph, pw, scratch + <usize>(r - r0) * padBytes, hp, wp);
    }
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx += 4) {
        const q = q0 + ty * tw + tx, lanes = min(4, tw - tx);
        const src = scratch + (<usize>(2 * ty * wp + 2 * tx) << 2);
        for (let r = r0; r < rc; r++) input4(src + <usize>(r - r0) * padBytes, rs, v, r, q, lanes);
      }
    }
  }
}

/**
 * V for the four tiles whose windows start at `src` and every 2 columns after (rows `rs` bytes apart),
 * as vectors over the tiles (columns q .. q+lanes-1 of V; the rest are past the row and not stored).
 */
// @ts-ignore: decorator
@inline function input4(src: usize, rs: usize, v: usize, r: i32, q: i32, lanes: i32): void {
  // D[i][j]: lane t = x[i][2t + j]; then t = B^T D over i and V = t B over j, lanes kept.
  let d00: v128, d01: v128, d02: v128, d03: v128, d10: v128, d11: v128, d12: v128, d13: v128;
  let d20: v128, d21: v128, d22: v128, d23: v128, d30: v128, d31: v128, d32: v128, d33: v128;
  // Row loads: x0..x3, x4..x7, x8 x9.
  let l0 = v128.load(src), l1 = v128.load(src, 16), l2 = v128.load64_zero(src, 32);
  d00 = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6); d01 = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
  d02 = v128.shuffle<f32>(d00, l2, 1, 2, 3, 4); d03 = v128.shuffle<f32>(d01, l2, 1, 2, 3, 5);
  src += rs;
  l0 = v128.load(src); l1 = v128.load(src, 16); l2 = v128.load64_zero(src, 32);
  d10 = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6); d11 = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
  d12 = v128.shuffle<f32>(d10, l2, 1, 2, 3, 4); d13 = v128.shuffle<f32>(d11, l2, 1, 2, 3, 5);
  src += rs;
  l0 = v128.load(src); l1 = v128.load(src, 16); l2 = v128.load64_zero(src, 32);
  d20 = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6); d21 = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
  d22 = v128.shuffle<f32>(d20, l2, 1, 2, 3, 4); d23 = v128.shuffle<f32>(d21, l2, 1, 2, 3, 5);
  src += rs;
  l0 = v128.load(src); l1 = v128.load(src, 16); l2 = v128.load64_zero(src, 32);
  d30 = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6); d31 = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
  d32 = v128.shuffle<f32>(d30, l2, 1, 2, 3, 4); d33 = v128.shuffle<f32>(d31, l2, 1, 2, 3, 5);
  inputRow(v, r, q, lanes, 0, f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23));
  inputRow(v, r, q, lanes, 1, f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23));
  inputRow(v, r, q, lanes, 2, f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13));
  inputRow(v, r, q, lanes, 3, f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33));
}

/** Row i of V = t B from row i of t (t0..t3, vectors over four tiles): matrices 4i .. 4i+3. */
// @ts-ignore: decorator
@inline function inputRow(v: usize, r: i32, q: i32, lanes: i32, i: i32, t0: v128, t1: v128, t2: v128, t3: v128): void {
  putQ4(v, r, q, lanes, 4 * i, f32x4.sub(t0, t2));
  putQ4(v, r, q, lanes, 4 * i + 1, f32x4.add(t1, t2));
  putQ4(v, r, q, lanes, 4 * i + 2, f32x4.sub(t2, t1));
  putQ4(v, r, q, lanes, 4 * i + 3, f32x4.sub(t1, t3));
}

/**
 * Output-gradient tiles Z = A dy A^T.
 * Row r is the output channel, column q = (image - n0, ty, tx) the tile; rows [o, rows) are zeros.
 */
export function k_winoDy(tid: i32, nt: i32, args: usize): void {
  const dy = ap(args, WinoDy.dy), z = ap(args, WinoDy.z), n0 = ai(args, WinoDy.n0), nimg = ai(args, WinoDy.nimg), o = ai(args, WinoDy.o);
  const oh = ai(args, WinoDy.oh), ow = ai(args, WinoDy.ow), th = ai(args, WinoDy.th), tw = ai(args, WinoDy.tw), rows = ai(args, WinoDy.rows);
  const cols = ai(args, WinoDy.cols);
  readLayout(args, WinoDy.winoLayout);
  const tiles = nimg * th * tw;
  const gs = 1 << l_rShift, groups = (rows + gs - 1) / gs;
  const units = nimg * groups + groups;
  const u0 = splitStart(units, tid, nt, 1), u1 = splitEnd(units, tid, nt, 1);
  const planeBytes = <usize>(oh * ow) << 2;
  for (let u = u0; u < u1; u++) {
    if (u >= nimg * groups) {
      const g = u - nimg * groups;
      zeroBlock(z, g * gs, min(rows, g * gs + gs), tiles, cols, 16);
      continue;
    }
    const ni = u / groups, g = u - ni * groups;
    const r0 = g * gs, r1 = min(rows, r0 + gs), rc = min(o, r1);
    const q0 = ni * th * tw;
    zeroBlock(z, max(r0, o), r1, q0, q0 + th * tw, 16);
    const image = dy + <usize>((n0 + ni) * o) * planeBytes;
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        const y0 = 2 * ty, x0 = 2 * tx;
        const right = x0 + 1 < ow, down = y0 + 1 < oh;
        const q = q0 + ty * tw + tx;
        for (let r = r0; r < rc; r++) {
          const p = image + <usize>r * planeBytes + (<usize>(y0 * ow + x0) << 2);
          const g00 = load<f32>(p);
          const g01: f32 = right ? load<f32>(p, 4) : 0;
          const g10: f32 = down ? load<f32>(p + (<usize>ow << 2)) : 0;
          const g11: f32 = right && down ? load<f32>(p + (<usize>ow << 2), 4) : 0;
          // A dy A^T: column j of the result is (a, a+b, a-b, -b) for (a, b) the j-th entries of
          // A's action on dy's columns, (g0, g0+g1, g0-g1, -g1); lane i holds Z[i][j].
          const a = f32x4(g00, g00 + g10, g00 - g10, -g10), b = f32x4(g01, g01 + g11, g01 - g11, -g11);
          put4(z, r, q, a, 0, 4);
          put4(z, r, q, f32x4.add(a, b), 1, 4);
          put4(z, r, q, f32x4.sub(a, b), 2, 4);
          put4(z, r, q, f32x4.neg(b), 3, 4);
        }
      }
    }
  }
}

/**
 * Filters U = G g G^T. flip = 0: w is
 * [rows, chans, 3, 3]; flip = 1: w is [chans, rows, 3, 3] with the taps reversed (the input gradient).
 * Row r / column q of U[xi] is (r, q) = (filter row, channel); padding rows and columns are zeros.
 */
export function k_winoFilter(tid: i32, nt: i32, args: usize): void {
  const w = ap(args, WinoFilter.w), u = ap(args, WinoFilter.u), rows = ai(args, WinoFilter.rows), chans = ai(args, WinoFilter.chans), flip = ai(args, WinoFilter.flip) != 0;
  const rowsPad = ai(args, WinoFilter.rowsPad), chansPad = ai(args, WinoFilter.chansPad);
  readLayout(args, WinoFilter.winoLayout);
  const r0 = splitStart(rowsPad, tid, nt, 1), r1 = splitEnd(rowsPad, tid, nt, 1);
  for (let r = r0; r < r1; r++) {
    for (let q = 0; q < chansPad; q++) {
      if (r >= rows || q >= chans) {
        zeroN(u, r, q, 16);
        continue;
      }
      const base = w + ((<usize>(flip ? q * rows + r : r * chans + q) * 9) << 2);
      // Column j of the filter (taps reversed when flipped) as a vector over its 3 rows (lane 3 unused).
      const c0 = tapColumn(base, 0, flip), c1 = tapColumn(base, 1, flip), c2 = tapColumn(base, 2, flip);
      // g G^T by columns: (c0, (c0+c1+c2)/2, (c0-c1+c2)/2, c2); then G on each: lane i of the
      // result of column j is U[i][j].
      const half = f32x4.splat(0.5);
      const sum = f32x4.mul(half, f32x4.add(c0, c2));
      const e0 = c0, e1 = f32x4.add(sum, f32x4.mul(half, c1)), e2 = f32x4.sub(sum, f32x4.mul(half, c1)), e3 = c2;
      put4(u, r, q, gColumn(e0), 0, 4);
      put4(u, r, q, gColumn(e1), 1, 4);
      put4(u, r, q, gColumn(e2), 2, 4);
      put4(u, r, q, gColumn(e3), 3, 4);
    }
  }
}

/** Taps (0, j), (1, j), (2, j) of a 3x3 filter (read reversed when flipped), lane 3 zero. */
// @ts-ignore: decorator
@inline function tapColumn(base: usize, j: i32, flip: bool): v128 {
  const t0 = flip ? 8 - j : j, t1 = flip ? 5 - j : 3 + j, t2 = flip ? 2 - j : 6 + j;
  return f32x4(load<f32>(base + (<usize>t0 << 2)), load<f32>(base + (<usize>t1 << 2)), load<f32>(base + (<usize>t2 << 2)), 0);
}

/** G times a 3-vector (lanes 0..2): (a, (a+b+c)/2, (a-b+c)/2, c). */
// @ts-ignore: decorator
@inline function gColumn(v: v128): v128 {
  const a = f32x4.extract_lane(v, 0), b = f32x4.extract_lane(v, 1), c = f32x4.extract_lane(v, 2);
  const s: f32 = 0.5 * (a + c), hb: f32 = 0.5 * b;
  return f32x4(a, s + hb, s - hb, c);
}

/**
 * The `mats` GEMMs M[xi] (rowsPad x cols, row stride cols) = U[xi] (packed A panels, k = depth) * V[xi]
 * (packed B panels, k = depth). Threads split (xi,
 * column block) units; each output is summed by one thread in a fixed order.
 */
export function k_winoGemm(tid: i32, nt: i32, args: usize): void {
  const u = ap(args, WinoGemm.u), v = ap(args, WinoGemm.v), m = ap(args, WinoGemm.m), rowsPad = ai(args, WinoGemm.rowsPad), depth = ai(args, WinoGemm.depth);
  const cols = ai(args, WinoGemm.cols), kcMax = ai(args, WinoGemm.kc), ncMax = ai(args, WinoGemm.nc), mats = ai(args, WinoGemm.mats);
  const blocks = (cols + ncMax - 1) / ncMax;
  const u0 = splitStart(mats * blocks, tid, nt, 1), u1 = splitEnd(mats * blocks, tid, nt, 1);
  for (let unit = u0; unit < u1; unit++) {
    const xi = unit / blocks, blk = unit - xi * blocks;
    const ux = u + ((<usize>xi * spaced(rowsPad * depth)) << 2);
    const vx = v + ((<usize>xi * spaced(cols * depth)) << 2);
    const mx = m + ((<usize>xi * spaced(rowsPad * cols)) << 2);
    const j0 = blk * ncMax, j1 = min(cols, j0 + ncMax);
    for (let pc = 0; pc < depth; pc += kcMax) {
      const kc = min(kcMax, depth - pc);
      for (let jr = j0; jr < j1; jr += NR) {
        const bPanel = vx + ((<usize>(jr * depth + pc * NR)) << 2);
        for (let ir = 0; ir < rowsPad; ir += MR) {
          const aPanel = ux + ((<usize>(ir * depth + pc * MR)) << 2);
          microKernel(kc, aPanel, bPanel, mx + (<usize>(ir * cols + jr) << 2), cols, pc > 0 ? 1 : 0, 0);
        }
      }
    }
  }
}

/**
 * The filter gradient's `mats` GEMMs S[xi] (rowsPad x colsPad, row stride colsPad) (+)= Z[xi] (packed A
 * panels, k = tiles) * V[xi]^T (packed B panels, k = tiles). Threads split xi; acc adds to S (the chunks after the first).
 */
export function k_winoGemmT(tid: i32, nt: i32, args: usize): void {
  const z = ap(args, WinoGemmT.z), v = ap(args, WinoGemmT.v), s = ap(args, WinoGemmT.s), rowsPad = ai(args, WinoGemmT.rowsPad), colsPad = ai(args, WinoGemmT.colsPad);
  const tiles = ai(args, WinoGemmT.tiles), kcMax = ai(args, WinoGemmT.kc), acc = ai(args, WinoGemmT.acc) != 0;
  const mats = ai(args, WinoGemmT.mats);
  const x0 = splitStart(mats, tid, nt, 1), x1 = splitEnd(mats, tid, nt, 1);
  for (let xi = x0; xi < x1; xi++) {
    const zx = z + ((<usize>xi * spaced(rowsPad * tiles)) << 2);
    const vx = v + ((<usize>xi * spaced(colsPad * tiles)) << 2);
    const sx = s + ((<usize>xi * spaced(rowsPad * colsPad)) << 2);
    for (let pc = 0; pc < tiles; pc += kcMax) {
      const kc = min(kcMax, tiles - pc);
      const mode = acc || pc > 0 ? 1 : 0;
      for (let jr = 0; jr < colsPad; jr += NR) {
        const bPanel = vx + ((<usize>(jr * tiles + pc * NR)) << 2);
        for (let ir = 0; ir < rowsPad; ir += MR) {
          const aPanel = zx + ((<usize>(ir * tiles + pc * MR)) << 2);
          microKernel(kc, aPanel, bPanel, sx + (<usize>(ir * colsPad + jr) << 2), colsPad, mode, 0);
        }
      }
    }
  }
}

/**
 * Output tiles y = A^T M A (+ bias).
 * M[xi] is rowsPad x cols (row = output channel, column = tile). Threads split (image, channel) planes.
 */
export function k_winoOutput(tid: i32, nt: i32, args: usize): void {
  const m = ap(args, WinoOutput.m), y = ap(args, WinoOutput.y), bias = ap(args, WinoOutput.bias), n0 = ai(args, WinoOutput.n0), nimg = ai(args, WinoOutput.nimg);
  const o = ai(args, WinoOutput.o), oh = ai(args, WinoOutput.oh), ow = ai(args, WinoOutput.ow), th = ai(args, WinoOutput.th), tw = ai(args, WinoOutput.tw);
  const rowsPad = ai(args, WinoOutput.rowsPad), cols = ai(args, WinoOutput.cols);
  const step = spaced(rowsPad * cols) << 2;
  const units = nimg * o;
  const u0 = splitStart(units, tid, nt, 1), u1 = splitEnd(units, tid, nt, 1);
  for (let u = u0; u < u1; u++) {
    const ni = u / o, r = u - ni * o;
    const add: f32 = bias != 0 ? load<f32>(bias + (<usize>r << 2)) : 0;
    const plane = y + ((<usize>((n0 + ni) * o + r) * <usize>(oh * ow)) << 2);
    let src = m + (<usize>(r * cols + ni * th * tw) << 2);
    for (let ty = 0; ty < th; ty++) {
      const oy = 2 * ty;
      for (let tx = 0; tx < tw; tx++) {
        if (tx + 4 <= tw && 2 * tx + 8 <= ow && oy + 2 <= oh) {
          output4(src, step, plane + (<usize>(oy * ow + 2 * tx) << 2), <usize>ow << 2, add);
          src += 16;
          tx += 3;
          continue;
        }
        // s = A^T M: 2 rows of 4 (as vectors over the 4 columns), then y = s A.
        let p = src;
        const m0 = gather4(p, step); p += step << 2;
        const m1 = gather4(p, step); p += step << 2;
        const m2 = gather4(p, step); p += step << 2;
        const m3 = gather4(p, step);
        const s0 = f32x4.add(f32x4.add(m0, m1), m2), s1 = f32x4.sub(f32x4.sub(m1, m2), m3);
        const y00 = f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1) + f32x4.extract_lane(s0, 2) + add;
        const y01 = f32x4.extract_lane(s0, 1) - f32x4.extract_lane(s0, 2) - f32x4.extract_lane(s0, 3) + add;
        const y10 = f32x4.extract_lane(s1, 0) + f32x4.extract_lane(s1, 1) + f32x4.extract_lane(s1, 2) + add;
        const y11 = f32x4.extract_lane(s1, 1) - f32x4.extract_lane(s1, 2) - f32x4.extract_lane(s1, 3) + add;
        const ox = 2 * tx;
        const d = plane + (<usize>(oy * ow + ox) << 2);
        store<f32>(d, y00);
        if (ox + 1 < ow) store<f32>(d, y01, 4);
        if (oy + 1 < oh) {
          const d1 = d + (<usize>ow << 2);
          store<f32>(d1, y10);
          if (ox + 1 < ow) store<f32>(d1, y11, 4);
        }
        src += 4;
      }
    }
  }
}

/**
 * y for four tiles side by side from M's columns at src (matrices `step` bytes apart): vectors over the
 * tiles, interleaved into two rows of 8 outputs at d (rows `rs` bytes apart).
 */
// @ts-ignore: decorator
@inline function output4(src: usize, step: usize, d: usize, rs: usize, add: f32): void {
  // s_i = A^T M over rows: s0[j] = M0j + M1j + M2j, s1[j] = M1j - M2j - M3j.
  const m00 = v128.load(src), m01 = v128.load(src + step), m02 = v128.load(src + 2 * step), m03 = v128.load(src + 3 * step);
  let p = src + 4 * step;
  const m10 = v128.load(p), m11 = v128.load(p + step), m12 = v128.load(p + 2 * step), m13 = v128.load(p + 3 * step);
  p += 4 * step;
  const m20 = v128.load(p), m21 = v128.load(p + step), m22 = v128.load(p + 2 * step), m23 = v128.load(p + 3 * step);
  p += 4 * step;
  const m30 = v128.load(p), m31 = v128.load(p + step), m32 = v128.load(p + 2 * step), m33 = v128.load(p + 3 * step);
  const a = f32x4.splat(add);
  const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
  const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
  const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
  const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
  const y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), a), y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), a);
  const y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), a), y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), a);
  v128.store(d, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
  v128.store(d, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
  v128.store(d + rs, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
  v128.store(d + rs, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
}

/**
 * Filter gradient dw = G^T S G. S[xi] is rowsPad x colsPad (row =
 * output channel, column = input channel); dw is [o, c, 3, 3]. Threads split the output channels.
 */
export function k_winoFilterGrad(tid: i32, nt: i32, args: usize): void {
  const s = ap(args, WinoFilterGrad.s), dw = ap(args, WinoFilterGrad.dw), o = ai(args, WinoFilterGrad.o), c = ai(args, WinoFilterGrad.c), colsPad = ai(args, WinoFilterGrad.colsPad);
  const rowsPad = (o + MR - 1) / MR * MR;
  const step = spaced(rowsPad * colsPad) << 2;
  const r0 = splitStart(o, tid, nt, 1), r1 = splitEnd(o, tid, nt, 1);
  const half = f32x4.splat(0.5);
  for (let r = r0; r < r1; r++) {
    for (let q = 0; q < c; q++) {
      // Rows of S (matrices 4k .. 4k+3) as vectors; G^T S's rows: (X0 + (X1+X2)/2, (X1-X2)/2, (X1+X2)/2 + X3).
      let p = s + (<usize>(r * colsPad + q) << 2);
      const x0 = gather4(p, step); p += step << 2;
      const x1 = gather4(p, step); p += step << 2;
      const x2 = gather4(p, step); p += step << 2;
      const x3 = gather4(p, step);
      const mid = f32x4.mul(half, f32x4.add(x1, x2));
      const out = dw + ((<usize>(r * c + q) * 9) << 2);
      gtRow(out, f32x4.add(x0, mid));
      gtRow(out + 12, f32x4.mul(half, f32x4.sub(x1, x2)));
      gtRow(out + 24, f32x4.add(mid, x3));
    }
  }
}

/** Row of (G^T S) G: (a + (b+c)/2, (b-c)/2, (b+c)/2 + d) from the row (a, b, c, d), stored at out. */
// @ts-ignore: decorator
@inline function gtRow(out: usize, v: v128): void {
  const a = f32x4.extract_lane(v, 0), b = f32x4.extract_lane(v, 1), c = f32x4.extract_lane(v, 2), d = f32x4.extract_lane(v, 3);
  const mid: f32 = 0.5 * (b + c);
  store<f32>(out, a + mid);
  store<f32>(out, 0.5 * (b - c), 4);
  store<f32>(out, mid + d, 8);
}
