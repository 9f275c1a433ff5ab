// Convolutions and the matrix product as GEMMs over packed panels, im2col done while packing B
// (implicit GEMM: no im2col matrix is ever materialised, only one kc x nc block per thread).
//   forward        Y[o, (n,s)]   = W [o, ckk] * cols[ckk, (n,s)]        (+ bias[o])
//   input grad     dcols[ckk, q] = W^T [ckk, o] * dY[o, q], then scattered back into dx (col2im)
//   filter grad    dW[o, ckk]    = dY[o, (n,s)] * cols^T[(n,s), ckk]   (each thread sums its images)
// Columns (n,s) run over every image of the batch, so small late layers still give long GEMMs.
import { ai, ap, splitEnd, splitStart } from "./common";
import {
  ConvBwdFilter, ConvBwdInput, ConvFwd, ConvGeometry as G, Crop, Gemm, MR, NR, Pad, SumPartials, TapClass as T, Taps,
} from "./generated/abi";
import { runBlock } from "./gemm";

// The three conv kernels share their geometry words (kernel-abi.json's convGeometry, written by
// src/kernels/conv.ts) and the tap class (see src/kernels/taps.ts): output rows [oy0, oy0+ohc) x
// columns [ox0, ox0+owc) whose windows start ky0 / kx0 taps in (kh x kw is then the class's tap
// count); fkh x fkw is the filter layout of the weight gradient; acc: the filter gradient adds to its
// (zeroed) output.

// The current kernel's geometry, in globals: they are per module instance, so per thread
// (memory is shared between threads, globals are not).
let g_n = 0, g_c = 0, g_h = 0, g_w = 0, g_o = 0, g_kh = 0, g_kw = 0, g_oh = 0, g_ow = 0;
let g_sh = 0, g_sw = 0, g_ph = 0, g_pw = 0, g_s = 0, g_ckk = 0, g_kk = 0, g_hw = 0;
let g_oy0 = 0, g_ohc = 0, g_ox0 = 0, g_owc = 0, g_ky0 = 0, g_kx0 = 0, g_fkh = 0, g_fkw = 0, g_cs = 0;

/** Reads the geometry words starting at word `g` and the tap class's starting at word `t`. */
function readGeom(args: usize, g: i32, t: i32): void {
  g_n = ai(args, g + G.n); g_c = ai(args, g + G.c); g_h = ai(args, g + G.h); g_w = ai(args, g + G.w);
  g_o = ai(args, g + G.o); g_kh = ai(args, g + G.kh); g_kw = ai(args, g + G.kw);
  g_oh = ai(args, g + G.oh); g_ow = ai(args, g + G.ow); g_sh = ai(args, g + G.sh); g_sw = ai(args, g + G.sw);
  g_ph = ai(args, g + G.ph); g_pw = ai(args, g + G.pw);
  g_s = g_oh * g_ow; g_kk = g_kh * g_kw; g_ckk = g_c * g_kk; g_hw = g_h * g_w;
  g_oy0 = ai(args, t + T.oy0); g_ohc = ai(args, t + T.ohc); g_ox0 = ai(args, t + T.ox0); g_owc = ai(args, t + T.owc);
  g_ky0 = ai(args, t + T.ky0); g_kx0 = ai(args, t + T.kx0); g_fkh = ai(args, t + T.fkh); g_fkw = ai(args, t + T.fkw);
  g_cs = g_ohc * g_owc;
}

/**
 * Per-column tables for columns q0 .. q0+count of the class (its output positions in every image):
 * image base, window origin (the class's first tap), dy offset.
 */
function columnTables(q0: i32, count: i32, xbase: usize, iy0: usize, ix0: usize, yoff: usize): void {
  let n = q0 / g_cs;
  const s = q0 - n * g_cs;
  let cy = s / g_owc;
  let cx = s - cy * g_owc;
  for (let j = 0; j < count; j++) {
    const o4 = <usize>j << 2;
    const oy = g_oy0 + cy, ox = g_ox0 + cx;
    store<i32>(xbase + o4, n * g_c * g_hw);
    store<i32>(iy0 + o4, oy * g_sh - g_ph + g_ky0);
    store<i32>(ix0 + o4, ox * g_sw - g_pw + g_kx0);
    store<i32>(yoff + o4, n * g_o * g_s + oy * g_ow + ox);
    cx++;
    if (cx == g_owc) {
      cx = 0;
      cy++;
      if (cy == g_ohc) {
        cy = 0;
        n++;
      }
    }
  }
}

/** x value at (image base, channel offset, iy, ix), zero outside the image. */
// @ts-ignore: decorator
@inline function xAt(x: usize, base: i32, iy: i32, ix: i32): f32 {
  if (<u32>iy >= <u32>g_h || <u32>ix >= <u32>g_w) return 0;
  return load<f32>(x + (<usize>(base + iy * g_w + ix) << 2));
}

/**
 * Packs B = cols[k0 .. k0+kc, columns of the tables] (forward im2col) into NR panels. The input is
 * unpadded here (the JS side zero-pads it first), so every window lies inside the image: a full panel
 * gathers its 8 columns at 8 fixed offsets plus the row's offset, or loads them as two vectors when
 * they are 8 neighbours of one image row.
 */
function packIm2col(x: usize, k0: i32, kc: i32, nc: i32, xbase: usize, iy0: usize, ix0: usize, bp: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    let out = bp + ((<usize>jr * <usize>kc) << 2);
    let ci = k0 / g_kk;
    const r = k0 - ci * g_kk;
    let ki = r / g_kw;
    let kj = r - ki * g_kw;
    if (cols == NR) {
      // Offsets (floats) of the 8 window origins; row offset d walks (c, kh, kw).
      const t = <usize>jr << 2;
      const o0 = colOrigin(xbase, iy0, ix0, t), o1 = colOrigin(xbase, iy0, ix0, t + 4);
      const o2 = colOrigin(xbase, iy0, ix0, t + 8), o3 = colOrigin(xbase, iy0, ix0, t + 12);
      const o4 = colOrigin(xbase, iy0, ix0, t + 16), o5 = colOrigin(xbase, iy0, ix0, t + 20);
      const o6 = colOrigin(xbase, iy0, ix0, t + 24), o7 = colOrigin(xbase, iy0, ix0, t + 28);
      const contiguous = o1 == o0 + 1 && o2 == o0 + 2 && o3 == o0 + 3 && o4 == o0 + 4 && o5 == o0 + 5 && o6 == o0 + 6 && o7 == o0 + 7;
      let d = ci * g_hw + ki * g_w + kj;
      const rowStep = g_w - g_kw, chanStep = g_hw - g_kh * g_w;
      for (let p = 0; p < kc; p++) {
        const xd = x + (<usize>d << 2);
        if (contiguous) {
          const src = xd + (<usize>o0 << 2);
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
        } else {
          let v = v128.load32_zero(xd + (<usize>o0 << 2));
          v = v128.load32_lane(xd + (<usize>o1 << 2), v, 1);
          v = v128.load32_lane(xd + (<usize>o2 << 2), v, 2);
          v = v128.load32_lane(xd + (<usize>o3 << 2), v, 3);
          let u = v128.load32_zero(xd + (<usize>o4 << 2));
          u = v128.load32_lane(xd + (<usize>o5 << 2), u, 1);
          u = v128.load32_lane(xd + (<usize>o6 << 2), u, 2);
          u = v128.load32_lane(xd + (<usize>o7 << 2), u, 3);
          v128.store(out, v);
          v128.store(out, u, 16);
        }
        out += 32;
        d++;
        kj++;
        if (kj == g_kw) {
          kj = 0;
          d += rowStep;
          ki++;
          if (ki == g_kh) {
            ki = 0;
            d += chanStep;
          }
        }
      }
      continue;
    }
    const t = <usize>jr << 2;
    for (let p = 0; p < kc; p++) {
      const chan = ci * g_hw;
      for (let j = 0; j < NR; j++) {
        let v: f32 = 0;
        if (j < cols) {
          const o4 = t + (<usize>j << 2);
          v = xAt(x, load<i32>(xbase + o4) + chan, load<i32>(iy0 + o4) + ki, load<i32>(ix0 + o4) + kj);
        }
        store<f32>(out, v);
        out += 4;
      }
      kj++;
      if (kj == g_kw) {
        kj = 0;
        ki++;
        if (ki == g_kh) {
          ki = 0;
          ci++;
        }
      }
    }
  }
}

/** Offset (floats) of a tabulated column's window origin in an unpadded input. */
// @ts-ignore: decorator
@inline function colOrigin(xbase: usize, iy0: usize, ix0: usize, o4: usize): i32 {
  return load<i32>(xbase + o4) + load<i32>(iy0 + o4) * g_w + load<i32>(ix0 + o4);
}

/** Packs B = rows k0..k0+kc of a [K, cols] matrix whose column j is at src + yoff[j] + k * kstride. */
function packRows(src: usize, kstride: i32, k0: i32, kc: i32, nc: i32, yoff: usize, bp: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    let out = bp + ((<usize>jr * <usize>kc) << 2);
    const t = yoff + (<usize>jr << 2);
    for (let p = 0; p < kc; p++) {
      const rowOff = (k0 + p) * kstride;
      for (let j = 0; j < NR; j++) {
        const v: f32 = j < cols ? load<f32>(src + (<usize>(load<i32>(t + (<usize>j << 2)) + rowOff) << 2)) : 0;
        store<f32>(out, v);
        out += 4;
      }
    }
  }
}

/**
 * Forward. When the output columns are not runs of 8 (small images: one image's positions are fewer than 8, or not a
 * multiple of 8; most tap classes) and the depth spans several k blocks, the block accumulates in a
 * contiguous buffer that is scattered into y once at the end, column by column, instead of scattering
 * every tile after every k block.
 */
export function k_convFwd(tid: i32, nt: i32, args: usize): void {
  readGeom(args, ConvFwd.convGeometry, ConvFwd.tapClass);
  const x = ap(args, ConvFwd.x), aw = ap(args, ConvFwd.packedW), bias = ap(args, ConvFwd.bias), y = ap(args, ConvFwd.y);
  const kcMax = ai(args, ConvFwd.kc), ncMax = ai(args, ConvFwd.nc);
  const scratch = ap(args, ConvFwd.scratch) + <usize>tid * ap(args, ConvFwd.scratchStride);
  const xbase = scratch, iy0 = xbase + (<usize>ncMax << 2), ix0 = iy0 + (<usize>ncMax << 2);
  const yoff = ix0 + (<usize>ncMax << 2), boff = yoff + (<usize>ncMax << 2), tile = boff + (<usize>ncMax << 2);
  const bp = tile + (<usize>(MR * NR) << 2);
  const cbuf = bp + (<usize>(kcMax * ncMax) << 2);
  for (let j = 0; j < ncMax; j++) store<i32>(boff + (<usize>j << 2), j);
  const total = g_n * g_cs;
  const q0 = splitStart(total, tid, nt, NR), q1 = splitEnd(total, tid, nt, NR);
  const k = g_ckk;
  const m = g_o;
  for (let jc = q0; jc < q1; jc += ncMax) {
    const nc = min(ncMax, q1 - jc);
    columnTables(jc, nc, xbase, iy0, ix0, yoff);
    const buffered = k > kcMax && !runsOf8(yoff, nc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      packIm2col(x, pc, kc, nc, xbase, iy0, ix0, bp);
      const ap0 = aw + (<usize>(pc * MR) << 2);
      if (buffered) {
        runBlock(m, nc, kc, ap0, k * MR, bp, cbuf, boff, ncMax, pc > 0 ? 1 : 0, 0, tile);
      } else {
        const mode = pc > 0 ? 1 : bias != 0 ? 2 : 0;
        runBlock(m, nc, kc, ap0, k * MR, bp, y, yoff, g_s, mode, bias, tile);
      }
    }
    if (buffered) {
      // Column by column: one column's outputs are S floats apart in y, while consecutive columns
      // can be whole images apart (cbuf, read across, stays in cache).
      const rowStep = <usize>g_s << 2, bufStep = <usize>ncMax << 2;
      for (let j = 0; j < nc; j++) {
        let dst = y + (<usize>load<i32>(yoff + (<usize>j << 2)) << 2);
        let src = cbuf + (<usize>j << 2);
        for (let i = 0; i < m; i++) {
          const add: f32 = bias != 0 ? load<f32>(bias + (<usize>i << 2)) : 0;
          store<f32>(dst, load<f32>(src) + add);
          dst += rowStep;
          src += bufStep;
        }
      }
    }
  }
}

/** Whether every group of 8 tabulated output offsets is a contiguous run (and nc a multiple of 8). */
function runsOf8(yoff: usize, nc: i32): bool {
  if (nc % NR != 0) return false;
  for (let j = 0; j < nc; j += NR) {
    const o = yoff + (<usize>j << 2);
    if (load<i32>(o, 28) != load<i32>(o) + 7) return false;
  }
  return true;
}

/**
 * Input gradient. Threads take whole images, so their col2im writes never overlap.
 */
export function k_convBwdInput(tid: i32, nt: i32, args: usize): void {
  readGeom(args, ConvBwdInput.convGeometry, ConvBwdInput.tapClass);
  const dy = ap(args, ConvBwdInput.dy), awt = ap(args, ConvBwdInput.packedWT), dx = ap(args, ConvBwdInput.dx);
  const kcMax = ai(args, ConvBwdInput.kc), ncMax = ai(args, ConvBwdInput.nc);
  const scratch = ap(args, ConvBwdInput.scratch) + <usize>tid * ap(args, ConvBwdInput.scratchStride);
  const xbase = scratch, iy0 = xbase + (<usize>ncMax << 2), ix0 = iy0 + (<usize>ncMax << 2);
  const yoff = ix0 + (<usize>ncMax << 2), doff = yoff + (<usize>ncMax << 2), tile = doff + (<usize>ncMax << 2);
  const bp = tile + (<usize>(MR * NR) << 2);
  const dcols = bp + (<usize>(kcMax * ncMax) << 2);
  const n0 = splitStart(g_n, tid, nt, 1), n1 = splitEnd(g_n, tid, nt, 1);
  memory.fill(dx + (<usize>(n0 * g_c * g_hw) << 2), 0, <usize>((n1 - n0) * g_c * g_hw) << 2);
  for (let j = 0; j < ncMax; j++) store<i32>(doff + (<usize>j << 2), j);
  const q1 = n1 * g_cs;
  const m = g_ckk;
  for (let jc = n0 * g_cs; jc < q1; jc += ncMax) {
    const nc = min(ncMax, q1 - jc);
    columnTables(jc, nc, xbase, iy0, ix0, yoff);
    for (let pc = 0; pc < g_o; pc += kcMax) {
      const kc = min(kcMax, g_o - pc);
      packRows(dy, g_s, pc, kc, nc, yoff, bp);
      runBlock(m, nc, kc, awt + (<usize>(pc * MR) << 2), g_o * MR, bp, dcols, doff, ncMax, pc > 0 ? 1 : 0, 0, tile);
    }
    col2im(dcols, ncMax, nc, xbase, iy0, ix0, dx);
  }
}

/** Adds dcols [ckk, nc] (row stride ld) into dx (unpadded: the JS side crops a padded dx) at the tabulated windows. */
function col2im(dcols: usize, ld: i32, nc: i32, xbase: usize, iy0: usize, ix0: usize, dx: usize): void {
  // Window origins once per block, into the iy0 table (no longer needed as such).
  for (let j = 0; j < nc; j++) {
    const o4 = <usize>j << 2;
    store<i32>(iy0 + o4, colOrigin(xbase, iy0, ix0, o4));
  }
  let row = 0;
  for (let ci = 0; ci < g_c; ci++) {
    for (let ki = 0; ki < g_kh; ki++) {
      for (let kj = 0; kj < g_kw; kj++, row++) {
        const src = dcols + (<usize>(row * ld) << 2);
        const d = dx + (<usize>(ci * g_hw + ki * g_w + kj) << 2);
        for (let j = 0; j < nc; j++) {
          const o4 = <usize>j << 2;
          const dst = d + (<usize>load<i32>(iy0 + o4) << 2);
          store<f32>(dst, load<f32>(dst) + load<f32>(src + o4));
        }
      }
    }
  }
}

/**
 * Filter gradient. With partials, threads split the images: thread 0 writes dw, thread t > 0 its images' sum to partials +
 * (t-1) * (dw's size) (added up afterwards). Without, threads split dw's columns (c, taps) and each sums
 * over every image: better where dw is large next to dy. With ACC the class's taps are added to what
 * dw and the partials hold (the JS side zeroes them first).
 */
export function k_convBwdFilter(tid: i32, nt: i32, args: usize): void {
  readGeom(args, ConvBwdFilter.convGeometry, ConvBwdFilter.tapClass);
  const x = ap(args, ConvBwdFilter.x), dy = ap(args, ConvBwdFilter.dy), partials = ap(args, ConvBwdFilter.partials);
  const m = g_o, nTot = g_ckk, ld = g_c * g_fkh * g_fkw;
  const acc = ai(args, ConvBwdFilter.acc) != 0;
  const byImages = partials != 0;
  const out = tid == 0 || !byImages ? ap(args, ConvBwdFilter.dw) : partials + ((<usize>(tid - 1) * <usize>(m * ld)) << 2);
  const kcMax = ai(args, ConvBwdFilter.kc), ncMax = ai(args, ConvBwdFilter.nc);
  const scratch = ap(args, ConvBwdFilter.scratch) + <usize>tid * ap(args, ConvBwdFilter.scratchStride);
  // k tables (positions (n,s)), then column tables (ckk), tile, packed A, packed B.
  const xbase = scratch, iy0 = xbase + (<usize>kcMax << 2), ix0 = iy0 + (<usize>kcMax << 2);
  const dyoff = ix0 + (<usize>kcMax << 2);
  const choff = dyoff + (<usize>kcMax << 2), khj = choff + (<usize>ncMax << 2), kwj = khj + (<usize>ncMax << 2);
  const coff = kwj + (<usize>ncMax << 2), tile = coff + (<usize>ncMax << 2);
  const apk = tile + (<usize>(MR * NR) << 2);
  const mPad = (m + MR - 1) / MR * MR;
  const bp = apk + (<usize>(mPad * kcMax) << 2);
  const n0 = byImages ? splitStart(g_n, tid, nt, 1) : 0, n1 = byImages ? splitEnd(g_n, tid, nt, 1) : g_n;
  const j0 = byImages ? 0 : splitStart(nTot, tid, nt, NR), j1 = byImages ? nTot : splitEnd(nTot, tid, nt, NR);
  if (n0 == n1) {
    if (!acc) memory.fill(out, 0, <usize>(m * ld) << 2);
    return;
  }
  const k0 = n0 * g_cs, k1 = n1 * g_cs;
  for (let pc = k0; pc < k1 && j0 < j1; pc += kcMax) {
    const kc = min(kcMax, k1 - pc);
    columnTables(pc, kc, xbase, iy0, ix0, dyoff);
    // A = dY rows o, columns the kc positions: element (o, p) at dy + dyoff[p] + o*S.
    packDy(dy, kc, dyoff, m, apk);
    for (let jc = j0; jc < j1; jc += ncMax) {
      const nc = min(ncMax, j1 - jc);
      filterColumnTables(jc, nc, choff, khj, kwj, coff);
      packColsT(x, kc, nc, xbase, iy0, ix0, choff, khj, kwj, bp);
      runBlock(m, nc, kc, apk, kc * MR, bp, out, coff, ld, acc || pc > k0 ? 1 : 0, 0, tile);
    }
  }
}

/** Packs dY[o, positions of the k tables] into MR-row panels (kc deep). */
function packDy(dy: usize, kc: i32, dyoff: usize, m: i32, dst: usize): void {
  let out = dst;
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = min(MR, m - i0);
    for (let p = 0; p < kc; p++) {
      const base = load<i32>(dyoff + (<usize>p << 2));
      for (let r = 0; r < MR; r++) {
        const v: f32 = r < rows ? load<f32>(dy + (<usize>(base + (i0 + r) * g_s) << 2)) : 0;
        store<f32>(out, v);
        out += 4;
      }
    }
  }
}

/** Tables for filter columns jc..jc+nc (index ckk = (c, kh, kw) over the class's taps; coff in dw's layout). */
function filterColumnTables(jc: i32, nc: i32, choff: usize, khj: usize, kwj: usize, coff: usize): void {
  let ci = jc / g_kk;
  let r = jc - ci * g_kk;
  let ki = r / g_kw;
  let kj = r - ki * g_kw;
  for (let j = 0; j < nc; j++) {
    const o4 = <usize>j << 2;
    store<i32>(choff + o4, ci * g_hw);
    store<i32>(khj + o4, ki);
    store<i32>(kwj + o4, kj);
    store<i32>(coff + o4, (ci * g_fkh + ki + g_ky0) * g_fkw + kj + g_kx0);
    kj++;
    if (kj == g_kw) {
      kj = 0;
      ki++;
      if (ki == g_kh) {
        ki = 0;
        ci++;
      }
    }
  }
}

/**
 * Packs B = cols^T [positions (k tables), filter columns] into NR panels. The input is unpadded (see
 * packIm2col): a full panel reads its 8 filter taps at fixed offsets from each position's origin.
 */
function packColsT(
  x: usize, kc: i32, nc: i32, xbase: usize, iy0: usize, ix0: usize, choff: usize, khj: usize, kwj: usize, bp: usize,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    let out = bp + ((<usize>jr * <usize>kc) << 2);
    const t = <usize>jr << 2;
    if (cols == NR) {
      const d0 = tapOffset(choff, khj, kwj, t), d1 = tapOffset(choff, khj, kwj, t + 4);
      const d2 = tapOffset(choff, khj, kwj, t + 8), d3 = tapOffset(choff, khj, kwj, t + 12);
      const d4 = tapOffset(choff, khj, kwj, t + 16), d5 = tapOffset(choff, khj, kwj, t + 20);
      const d6 = tapOffset(choff, khj, kwj, t + 24), d7 = tapOffset(choff, khj, kwj, t + 28);
      for (let p = 0; p < kc; p++) {
        const xd = x + (<usize>colOrigin(xbase, iy0, ix0, <usize>p << 2) << 2);
        let v = v128.load32_zero(xd + (<usize>d0 << 2));
        v = v128.load32_lane(xd + (<usize>d1 << 2), v, 1);
        v = v128.load32_lane(xd + (<usize>d2 << 2), v, 2);
        v = v128.load32_lane(xd + (<usize>d3 << 2), v, 3);
        let u = v128.load32_zero(xd + (<usize>d4 << 2));
        u = v128.load32_lane(xd + (<usize>d5 << 2), u, 1);
        u = v128.load32_lane(xd + (<usize>d6 << 2), u, 2);
        u = v128.load32_lane(xd + (<usize>d7 << 2), u, 3);
        v128.store(out, v);
        v128.store(out, u, 16);
        out += 32;
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      const p4 = <usize>p << 2;
      const base = load<i32>(xbase + p4), oy = load<i32>(iy0 + p4), ox = load<i32>(ix0 + p4);
      for (let j = 0; j < NR; j++) {
        let v: f32 = 0;
        if (j < cols) {
          const o4 = t + (<usize>j << 2);
          v = xAt(x, base + load<i32>(choff + o4), oy + load<i32>(khj + o4), ox + load<i32>(kwj + o4));
        }
        store<f32>(out, v);
        out += 4;
      }
    }
  }
}

/** Offset (floats) of a filter tap (c, kh, kw) from a window origin. */
// @ts-ignore: decorator
@inline function tapOffset(choff: usize, khj: usize, kwj: usize, o4: usize): i32 {
  return load<i32>(choff + o4) + load<i32>(khj + o4) * g_w + load<i32>(kwj + o4);
}

/** Zero-padded copy of planes [src: planes x h x w] -> [dst: planes x (h+2ph) x (w+2pw)]. */
export function k_pad(tid: i32, nt: i32, args: usize): void {
  const src = ap(args, Pad.src), dst = ap(args, Pad.dst), planes = ai(args, Pad.planes), h = ai(args, Pad.h), w = ai(args, Pad.w);
  const ph = ai(args, Pad.ph), pw = ai(args, Pad.pw);
  const hp = h + 2 * ph, wp = w + 2 * pw;
  const p0 = splitStart(planes, tid, nt, 1), p1 = splitEnd(planes, tid, nt, 1);
  for (let p = p0; p < p1; p++) {
    const d = dst + ((<usize>p * <usize>(hp * wp)) << 2);
    const s = src + ((<usize>p * <usize>(h * w)) << 2);
    memory.fill(d, 0, <usize>(ph * wp) << 2);
    for (let y = 0; y < h; y++) {
      const row = d + (<usize>((y + ph) * wp) << 2);
      memory.fill(row, 0, <usize>pw << 2);
      memory.copy(row + (<usize>pw << 2), s + (<usize>(y * w) << 2), <usize>w << 2);
      memory.fill(row + (<usize>(pw + w) << 2), 0, <usize>pw << 2);
    }
    memory.fill(d + (<usize>((h + ph) * wp) << 2), 0, <usize>(ph * wp) << 2);
  }
}

/** The inverse: copies the interior of padded planes. */
export function k_crop(tid: i32, nt: i32, args: usize): void {
  const src = ap(args, Crop.src), dst = ap(args, Crop.dst), planes = ai(args, Crop.planes), h = ai(args, Crop.h), w = ai(args, Crop.w);
  const ph = ai(args, Crop.ph), pw = ai(args, Crop.pw);
  const hp = h + 2 * ph, wp = w + 2 * pw;
  const p0 = splitStart(planes, tid, nt, 1), p1 = splitEnd(planes, tid, nt, 1);
  for (let p = p0; p < p1; p++) {
    const s = src + ((<usize>p * <usize>(hp * wp)) << 2);
    const d = dst + ((<usize>p * <usize>(h * w)) << 2);
    for (let y = 0; y < h; y++) {
      memory.copy(d + (<usize>(y * w) << 2), s + (<usize>((y + ph) * wp + pw) << 2), <usize>w << 2);
    }
  }
}

/** out[i] += sum of `count` partial buffers of `len` floats. */
export function k_sumPartials(tid: i32, nt: i32, args: usize): void {
  const out = ap(args, SumPartials.out), parts = ap(args, SumPartials.parts), count = ai(args, SumPartials.count), len = ai(args, SumPartials.len);
  const i0 = splitStart(len, tid, nt, 4), i1 = splitEnd(len, tid, nt, 4);
  for (let p = 0; p < count; p++) {
    const src = parts + ((<usize>p * <usize>len) << 2);
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const o = out + (<usize>i << 2);
      v128.store(o, f32x4.add(v128.load(o), v128.load(src + (<usize>i << 2))));
    }
    for (; i < i1; i++) {
      const o = out + (<usize>i << 2);
      store<f32>(o, load<f32>(o) + load<f32>(src + (<usize>i << 2)));
    }
  }
}

/**
 * Matrix product C [m, n] = A * B with A pre-packed (k_packA) and B strided (element (p, j) at
 * b + p*rs + j*cs).
 */
export function k_gemm(tid: i32, nt: i32, args: usize): void {
  const pa = ap(args, Gemm.packedA), b = ap(args, Gemm.b), rs = ai(args, Gemm.rs), cs = ai(args, Gemm.cs), c = ap(args, Gemm.c);
  const m = ai(args, Gemm.m), n = ai(args, Gemm.n), k = ai(args, Gemm.k);
  const kcMax = ai(args, Gemm.kc), ncMax = ai(args, Gemm.nc);
  const scratch = ap(args, Gemm.scratch) + <usize>tid * ap(args, Gemm.scratchStride);
  const coff = scratch, boff = coff + (<usize>ncMax << 2), tile = boff + (<usize>ncMax << 2);
  const bp = tile + (<usize>(MR * NR) << 2);
  const j0 = splitStart(n, tid, nt, NR), j1 = splitEnd(n, tid, nt, NR);
  for (let jc = j0; jc < j1; jc += ncMax) {
    const nc = min(ncMax, j1 - jc);
    for (let j = 0; j < nc; j++) {
      store<i32>(coff + (<usize>j << 2), jc + j);
      store<i32>(boff + (<usize>j << 2), (jc + j) * cs);
    }
    if (k == 0) {
      for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * n + jc) << 2), 0, <usize>nc << 2);
      continue;
    }
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      packRows(b, rs, pc, kc, nc, boff, bp);
      runBlock(m, nc, kc, pa + (<usize>(pc * MR) << 2), k * MR, bp, c, coff, n, pc > 0 ? 1 : 0, 0, tile);
    }
  }
}

/**
 * Copies taps [kh0, kh0+khc) x [kw0, kw0+kwc) of every [kh, kw] filter plane into a [khc, kwc] plane.
 */
export function k_taps(tid: i32, nt: i32, args: usize): void {
  const src = ap(args, Taps.src), dst = ap(args, Taps.dst), planes = ai(args, Taps.planes), kh = ai(args, Taps.kh), kw = ai(args, Taps.kw);
  const kh0 = ai(args, Taps.kh0), khc = ai(args, Taps.khc), kw0 = ai(args, Taps.kw0), kwc = ai(args, Taps.kwc);
  const p0 = splitStart(planes, tid, nt, 1), p1 = splitEnd(planes, tid, nt, 1);
  for (let p = p0; p < p1; p++) {
    const full = <usize>(p * kh * kw), cropped = <usize>(p * khc * kwc);
    for (let i = 0; i < khc; i++) {
      for (let j = 0; j < kwc; j++) {
        const f = full + <usize>((kh0 + i) * kw + kw0 + j), c = cropped + <usize>(i * kwc + j);
        store<f32>(dst + (c << 2), load<f32>(src + (f << 2)));
      }
    }
  }
}
