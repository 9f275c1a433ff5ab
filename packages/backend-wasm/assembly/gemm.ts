// The GEMM core: a 4x8 register-blocked micro-kernel over packed panels, and the packing of A.
// Packed A: panels of MR rows; panel p holds, for each k, its MR values (k-major), zero-padded rows.
// Packed B: panels of NR columns; each panel holds, for each k, its NR values, zero-padded columns.
import { ai, ap, madd, splitEnd, splitStart } from "./common";
import { MR, NR, PackA, PackTaps, SelectTaps } from "./generated/abi";

/**
 * C tile (4 x 8 at c, row stride ldc floats) = or += A panel (kc x 4) * B panel (kc x 8).
 * mode 0: C = AB; 1: C += AB; 2: C = AB + bias[row] (bias at `bias`).
 */
export function microKernel(kc: i32, a: usize, b: usize, c: usize, ldc: i32, mode: i32, bias: usize): void {
  const l = <usize>ldc << 2;
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (mode == 1) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + l); c11 = v128.load(c + l, 16);
    c20 = v128.load(c + 2 * l); c21 = v128.load(c + 2 * l, 16);
    c30 = v128.load(c + 3 * l); c31 = v128.load(c + 3 * l, 16);
  } else if (mode == 2) {
    c00 = v128.load32_splat(bias); c01 = c00;
    c10 = v128.load32_splat(bias, 4); c11 = c10;
    c20 = v128.load32_splat(bias, 8); c21 = c20;
    c30 = v128.load32_splat(bias, 12); c31 = c30;
  } else {
    c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00;
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let av = v128.load32_splat(a);
    c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4);
    c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8);
    c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12);
    c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    a += 16;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += l;
  v128.store(c, c10); v128.store(c, c11, 16); c += l;
  v128.store(c, c20); v128.store(c, c21, 16); c += l;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/**
 * Packs rows [0, m) x cols [0, k) of a strided matrix (element (i, p) at src + (i*rs + p*cs) floats)
 * into MR-row panels at dst; this thread packs its share of the panels.
 */
export function packA(src: usize, rs: i32, cs: i32, m: i32, k: i32, dst: usize, tid: i32, nt: i32): void {
  const panels = (m + MR - 1) / MR;
  const p0 = splitStart(panels, tid, nt, 1);
  const p1 = splitEnd(panels, tid, nt, 1);
  for (let pn = p0; pn < p1; pn++) {
    const i0 = pn * MR;
    let out = dst + ((<usize>pn * <usize>k * MR) << 2);
    const rows = min(MR, m - i0);
    let p = 0;
    if (rows == MR && cs == 1) {
      // Rows contiguous along k: load 4 rows x 4 k and transpose in registers.
      const r0 = src + (<usize>(i0 * rs) << 2), rstep = <usize>rs << 2;
      for (; p + 4 <= k; p += 4) {
        const a = r0 + (<usize>p << 2);
        const x0 = v128.load(a), x1 = v128.load(a + rstep), x2 = v128.load(a + 2 * rstep), x3 = v128.load(a + 3 * rstep);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(out, v128.shuffle<f64>(t0, t1, 0, 2));
        v128.store(out, v128.shuffle<f64>(t0, t1, 1, 3), 16);
        v128.store(out, v128.shuffle<f64>(t2, t3, 0, 2), 32);
        v128.store(out, v128.shuffle<f64>(t2, t3, 1, 3), 48);
        out += 64;
      }
    } else if (rows == MR && rs == 1) {
      // The panel's 4 rows are adjacent for each k: one vector per k.
      for (; p < k; p++) {
        v128.store(out, v128.load(src + (<usize>(i0 + p * cs) << 2)));
        out += 16;
      }
    }
    for (; p < k; p++) {
      for (let r = 0; r < MR; r++) {
        const v: f32 = r < rows ? load<f32>(src + ((<usize>((i0 + r) * rs + p * cs)) << 2)) : 0;
        store<f32>(out, v);
        out += 4;
      }
    }
  }
}

/**
 * Packs conv weights as the GEMM's A [rows, (chans, taps)] in MR panels, keeping taps [ky0, ky0+khc) x
 * [kx0, kx0+kwc) of each [kh, kw] plane.
 * flip = 0: w is [rows, chans, kh, kw] (the forward's W [o, c, ..]); flip = 1: w is [chans, rows, kh, kw]
 * and taps count from the far corner (the input gradient as a forward conv: W'[c, o, t] = W[o, c, -t]).
 */
export function k_packTaps(tid: i32, nt: i32, args: usize): void {
  const w = ap(args, PackTaps.w), rows = ai(args, PackTaps.rows), chans = ai(args, PackTaps.chans), kh = ai(args, PackTaps.kh), kw = ai(args, PackTaps.kw);
  const ky0 = ai(args, PackTaps.ky0), khc = ai(args, PackTaps.khc), kx0 = ai(args, PackTaps.kx0), kwc = ai(args, PackTaps.kwc), flip = ai(args, PackTaps.flip) != 0;
  const dst = ap(args, PackTaps.dst);
  const kk = kh * kw, taps = khc * kwc, k = chans * taps;
  const rowStep = flip ? kk : chans * kk, chanStep = flip ? rows * kk : kk;
  const panels = (rows + MR - 1) / MR;
  // Threads split what w is read along: panels of rows (flip = 0), channels (flip = 1: a channel's
  // rows are contiguous in w, so reading it whole per channel streams through memory).
  const outer = flip ? chans : panels, inner = flip ? panels : chans;
  const u0 = splitStart(outer, tid, nt, 1), u1 = splitEnd(outer, tid, nt, 1);
  for (let u = u0; u < u1; u++) {
    for (let v = 0; v < inner; v++) {
      const pn = flip ? v : u, ci = flip ? u : v;
      const i0 = pn * MR;
      let out = dst + ((<usize>(pn * k + ci * taps) * MR) << 2);
      for (let ty = ky0; ty < ky0 + khc; ty++) {
        for (let tx = kx0; tx < kx0 + kwc; tx++) {
          const base = ci * chanStep + (flip ? (kh - 1 - ty) * kw + kw - 1 - tx : ty * kw + tx);
          for (let r = 0; r < MR; r++) {
            const value: f32 = i0 + r < rows ? load<f32>(w + (<usize>((i0 + r) * rowStep + base) << 2)) : 0;
            store<f32>(out, value);
            out += 4;
          }
        }
      }
    }
  }
}

/**
 * A class's packed weights from the packed weights of all taps (k_packTaps over the whole filter): each
 * kept (channel, tap) is one MR-float vector of the source panel. Args [src, rows, chans, kh, kw, ky0,
 * khc, kx0, kwc, dst].
 */
export function k_selectTaps(tid: i32, nt: i32, args: usize): void {
  const src = ap(args, SelectTaps.src), rows = ai(args, SelectTaps.rows), chans = ai(args, SelectTaps.chans), kh = ai(args, SelectTaps.kh), kw = ai(args, SelectTaps.kw);
  const ky0 = ai(args, SelectTaps.ky0), khc = ai(args, SelectTaps.khc), kx0 = ai(args, SelectTaps.kx0), kwc = ai(args, SelectTaps.kwc), dst = ap(args, SelectTaps.dst);
  const kk = kh * kw;
  const panels = (rows + MR - 1) / MR;
  const p0 = splitStart(panels, tid, nt, 1), p1 = splitEnd(panels, tid, nt, 1);
  for (let pn = p0; pn < p1; pn++) {
    let out = dst + ((<usize>pn * <usize>(chans * khc * kwc) * MR) << 2);
    const panel = src + ((<usize>pn * <usize>(chans * kk) * MR) << 2);
    for (let ci = 0; ci < chans; ci++) {
      for (let ty = ky0; ty < ky0 + khc; ty++) {
        let from = panel + (<usize>((ci * kk + ty * kw + kx0) * MR) << 2);
        for (let tx = 0; tx < kwc; tx++) {
          v128.store(out, v128.load(from));
          out += 16;
          from += 16;
        }
      }
    }
  }
}

/** Kernel entry: packA with arguments [src, rs, cs, m, k, dst]. */
export function k_packA(tid: i32, nt: i32, args: usize): void {
  packA(ap(args, PackA.src), ai(args, PackA.rs), ai(args, PackA.cs), ai(args, PackA.m), ai(args, PackA.k), ap(args, PackA.dst), tid, nt);
}

/**
 * Writes a computed tile (MR x NR floats at tile) to C where it does not fit the direct path:
 * element (r, j) goes to c + (colOff[j] + (row0 + r) * rowStride), for r < rows, j < cols.
 * mode as microKernel's (bias applied here; the tile was computed with mode 0).
 */
export function scatterTile(
  tile: usize, rows: i32, cols: i32, c: usize, colOff: usize, row0: i32, rowStride: i32, mode: i32, bias: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const add: f32 = mode == 2 ? load<f32>(bias + (<usize>r << 2)) : 0;
    const rowBase = (row0 + r) * rowStride;
    for (let j = 0; j < cols; j++) {
      const dst = c + (<usize>(load<i32>(colOff + (<usize>j << 2)) + rowBase) << 2);
      let v = load<f32>(tile + (<usize>(r * NR + j) << 2)) + add;
      if (mode == 1) v += load<f32>(dst);
      store<f32>(dst, v);
    }
  }
}

/**
 * Runs the micro-kernels of one packed B block (nc columns, kc deep) against packed A rows [0, m):
 * C element (i, j) lives at c + colOff[j] + i * rowStride (floats). `ap0` points at the packed A
 * for this k block in panel 0; consecutive panels are `aPanelStride` floats apart.
 */
export function runBlock(
  m: i32, nc: i32, kc: i32, ap0: usize, aPanelStride: i32, bp: usize, c: usize, colOff: usize,
  rowStride: i32, mode: i32, bias: usize, tile: usize,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const offs = colOff + (<usize>jr << 2);
    const first = load<i32>(offs);
    const contiguous = cols == NR && load<i32>(offs, 28) == first + 7;
    const bPanel = bp + ((<usize>jr * <usize>kc) << 2);
    for (let ir = 0; ir < m; ir += MR) {
      const rows = min(MR, m - ir);
      const aPanel = ap0 + ((<usize>(ir / MR) * <usize>aPanelStride) << 2);
      const biasRow = bias + (<usize>ir << 2);
      if (contiguous && rows == MR) {
        microKernel(kc, aPanel, bPanel, c + (<usize>(first + ir * rowStride) << 2), rowStride, mode, biasRow);
      } else {
        microKernel(kc, aPanel, bPanel, tile, NR, 0, 0);
        scatterTile(tile, rows, cols, c, offs, ir, rowStride, mode, biasRow);
      }
    }
  }
}
