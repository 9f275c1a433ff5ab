// Winograd F(4x4, 3x3) for stride-1 3x3 convolutions: every 4x4 block of outputs (a tile) is computed from
// its 6x6 input window with 36 products per (output, input) channel pair instead of 144 (F(2x2, 3x3) in
// winograd.ts saves 2.25x, this 4x), the 36 products being 36 GEMMs over channels (winograd.ts's
// k_winoGemm / k_winoGemmT with mats = 36). The same four transforms as there, with the interpolation
// points 0, 1, -1, 2, -2 and infinity:
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// Position (k, l) of a transformed 6x6 tile is matrix xi = 6k + l. The transforms of four consecutive
// tiles run as vectors over the tiles (across tile rows, and across images where an image's tiles are not a
// multiple of four: winolayout.ts's imagesPerUnit), in two separable stages with the first stage's 36 (or
// 24) vectors in a per-thread buffer (`tmp`, 8 KiB per thread, also the filter transform's runs and
// putQuad's rows); layouts and thread splits are winograd.ts's.
import { ai, ap, madd, splitEnd, splitStart } from "./common";
import { MR, Wino4Dy, Wino4Filter, Wino4FilterGrad, Wino4Input, Wino4Output } from "./generated/abi";
import { at, blockRowTo, filterTaps, imagesPerUnit, l_ql, l_rShift, l_xi, padPlane, put9, putOr, putQuad, readLayout, spaced, tileCol, tileRow, windowAt, zeroBlock } from "./winolayout";

const MATS = 36;
/** Output tile side. */
const SIDE = 4;
/** Bytes of a thread's `tmp` buffer. */
const TMP_BYTES = 8192;
/** Where in tmp the transforms keep four channels' transformed tiles for putQuad (4 x MATS x 16 bytes). */
const TILES_AT: usize = 1024;
/** Columns of U the filter transform computes before storing them matrix by matrix (winograd3.ts's). */
const FILTER_RUN = 8;

/** Row k of B^T times (a0, ..., a5). */
// @ts-ignore: decorator
@inline function bRow(k: i32, a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, a5: v128): v128 {
  if (k == 0) return madd(f32x4.splat(4), a0, madd(f32x4.splat(-5), a2, a4));
  if (k == 1) return f32x4.add(madd(f32x4.splat(-4), a2, a4), madd(f32x4.splat(-4), a1, a3));
  if (k == 2) return f32x4.sub(madd(f32x4.splat(-4), a2, a4), madd(f32x4.splat(-4), a1, a3));
  if (k == 3) return madd(f32x4.splat(2), f32x4.sub(a3, a1), f32x4.sub(a4, a2));
  if (k == 4) return madd(f32x4.splat(-2), f32x4.sub(a3, a1), f32x4.sub(a4, a2));
  return madd(f32x4.splat(4), a1, madd(f32x4.splat(-5), a3, a5));
}

/** Row k of A^T times (a0, ..., a5). */
// @ts-ignore: decorator
@inline function aRow(k: i32, a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, a5: v128): v128 {
  if (k == 0) return f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), a4);
  if (k == 1) return madd(f32x4.splat(2), f32x4.sub(a3, a4), f32x4.sub(a1, a2));
  if (k == 2) return madd(f32x4.splat(4), f32x4.add(a3, a4), f32x4.add(a1, a2));
  return f32x4.add(madd(f32x4.splat(8), f32x4.sub(a3, a4), f32x4.sub(a1, a2)), a5);
}

/** Row k of A (= column k of A^T) times (a0, ..., a3). */
// @ts-ignore: decorator
@inline function aCol(k: i32, a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  if (k == 0) return a0;
  if (k == 1) return f32x4.add(f32x4.add(a0, a2), f32x4.add(a1, a3));
  if (k == 2) return f32x4.sub(f32x4.add(a0, a2), f32x4.add(a1, a3));
  if (k == 3) return madd(f32x4.splat(2), madd(f32x4.splat(4), a3, a1), madd(f32x4.splat(4), a2, a0));
  if (k == 4) return madd(f32x4.splat(-2), madd(f32x4.splat(4), a3, a1), madd(f32x4.splat(4), a2, a0));
  return a3;
}

/** Row k of G times (a, b, c). */
// @ts-ignore: decorator
@inline function gRow(k: i32, a: v128, b: v128, c: v128): v128 {
  if (k == 0) return f32x4.mul(f32x4.splat(0.25), a);
  if (k == 1) return f32x4.mul(f32x4.splat(-1.0 / 6.0), f32x4.add(f32x4.add(a, c), b));
  if (k == 2) return f32x4.mul(f32x4.splat(-1.0 / 6.0), f32x4.sub(f32x4.add(a, c), b));
  const ac = f32x4.add(f32x4.mul(f32x4.splat(1.0 / 24.0), a), f32x4.mul(f32x4.splat(1.0 / 6.0), c));
  if (k == 3) return f32x4.add(ac, f32x4.mul(f32x4.splat(1.0 / 12.0), b));
  if (k == 4) return f32x4.sub(ac, f32x4.mul(f32x4.splat(1.0 / 12.0), b));
  return c;
}

/** Row k of G^T times (a0, ..., a5). */
// @ts-ignore: decorator
@inline function gCol(k: i32, a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, a5: v128): v128 {
  if (k == 0) return f32x4.add(f32x4.sub(f32x4.mul(f32x4.splat(0.25), a0), f32x4.mul(f32x4.splat(1.0 / 6.0), f32x4.add(a1, a2))), f32x4.mul(f32x4.splat(1.0 / 24.0), f32x4.add(a3, a4)));
  if (k == 1) return f32x4.add(f32x4.mul(f32x4.splat(1.0 / 6.0), f32x4.sub(a2, a1)), f32x4.mul(f32x4.splat(1.0 / 12.0), f32x4.sub(a3, a4)));
  return f32x4.add(f32x4.mul(f32x4.splat(1.0 / 6.0), f32x4.sub(f32x4.sub(f32x4.add(a3, a4), a1), a2)), a5);
}

/**
 * Input tiles V = B^T d B, as k_winoInput (winograd.ts) with 6x6 windows every 4 rows and columns: the
 * padded planes are 4*th + 2 rows of 4*roundUp(tw, 4) + 4.
 */
export function k_wino4Input(tid: i32, nt: i32, args: usize): void {
  const x = ap(args, Wino4Input.x), v = ap(args, Wino4Input.v), n0 = ai(args, Wino4Input.n0), nimg = ai(args, Wino4Input.nimg), c = ai(args, Wino4Input.c);
  const h = ai(args, Wino4Input.h), w = ai(args, Wino4Input.w), ph = ai(args, Wino4Input.ph), pw = ai(args, Wino4Input.pw), th = ai(args, Wino4Input.th), tw = ai(args, Wino4Input.tw);
  const rows = ai(args, Wino4Input.rows), cols = ai(args, Wino4Input.cols);
  const scratch = ap(args, Wino4Input.scratch) + <usize>tid * ap(args, Wino4Input.scratchStride);
  const tmp = ap(args, Wino4Input.tmp) + <usize>(tid * TMP_BYTES);
  readLayout(args, Wino4Input.winoLayout);
  const tiles = nimg * th * tw;
  const gs = 1 << l_rShift, groups = (rows + gs - 1) / gs;
  const hp = 4 * th + 2, wp = 4 * ((tw + 3) & ~3) + 4;
  const padBytes = <usize>(hp * wp) << 2, rs = <usize>wp << 2;
  // A unit is a block of images (imagesPerUnit) and a group of rows; the trailing units zero the padding columns.
  const perImage = th * tw, ib = imagesPerUnit(perImage), blocks = (nimg + ib - 1) / ib;
  const units = blocks * groups + groups;
  const u0 = splitStart(units, tid, nt, 1), u1 = splitEnd(units, tid, nt, 1);
  for (let u = u0; u < u1; u++) {
    if (u >= blocks * groups) {
      const g = u - blocks * groups;
      zeroBlock(v, g * gs, min(rows, g * gs + gs), tiles, cols, MATS);
      continue;
    }
    const b = u / groups, g = u - b * groups;
    const r0 = g * gs, r1 = min(rows, r0 + gs), rc = min(c, r1);
    const nb = b * ib, nbi = min(ib, nimg - nb), q0 = nb * perImage, blockTiles = nbi * perImage;
    zeroBlock(v, max(r0, c), r1, q0, q0 + blockTiles, MATS);
    for (let i = 0; i < nbi; i++) {
      for (let r = r0; r < rc; r++) {
        const plane = x + ((<usize>((n0 + nb + i) * c + r) * <usize>(h * w)) << 2);
        padPlane(plane, h, w, ph, pw, scratch + <usize>(i * gs + r - r0) * padBytes, hp, wp);
      }
    }
    // Four consecutive tiles at a time (row-major within an image, then the block's next image), whatever
    // the map's width: image i's padded planes are gs planes after image i - 1's.
    const imageBytes = <usize>gs * padBytes;
    for (let k = 0; k < blockTiles; k += 4) {
      const q = q0 + k, lanes = min(4, blockTiles - k);
      const o0 = windowAt(k, perImage, tw, SIDE, wp, imageBytes), o1 = windowAt(lanes > 1 ? k + 1 : k, perImage, tw, SIDE, wp, imageBytes);
      const o2 = windowAt(lanes > 2 ? k + 2 : k, perImage, tw, SIDE, wp, imageBytes), o3 = windowAt(lanes > 3 ? k + 3 : k, perImage, tw, SIDE, wp, imageBytes);
      if (l_ql == 1) {
        for (let r = r0; r < rc; r++) {
          const plane = scratch + <usize>(r - r0) * padBytes;
          input6(plane + o0, plane + o1, plane + o2, plane + o3, rs, tmp, v, r, q, lanes, 0);
        }
        continue;
      }
      // The filter gradient's layout, channels side by side: four channels at a time, transposed (putQuad).
      for (let r = r0; r < rc; r += 4) {
        const n = min(4, rc - r);
        for (let j = 0; j < n; j++) {
          const plane = scratch + <usize>(r + j - r0) * padBytes, out = tmp + TILES_AT + <usize>(j * MATS * 16);
          input6(plane + o0, plane + o1, plane + o2, plane + o3, rs, tmp, v, r + j, q, lanes, out);
        }
        putQuad(v, r, q, lanes, n, tmp + TILES_AT, MATS);
      }
    }
  }
}


/**
 * V for the four tiles whose 6x6 windows start at s0 to s3 (rows `rs` bytes apart): per window row i, the
 * vectors e_j (lane t = row i of window t, column j) and their B^T combinations over j, kept in tmp; then
 * the combinations over i, stored as matrices 6k + l.
 */
// @ts-ignore: decorator
@inline function input6(s0: usize, s1: usize, s2: usize, s3: usize, rs: usize, tmp: usize, v: usize, r: i32, q: i32, lanes: i32, out: usize): void {
  let off: usize = 0;
  for (let i = 0; i < 6; i++) {
    // Columns 0-3 of the four windows' row, transposed, and columns 4-5.
    const l0 = v128.load(s0 + off), l1 = v128.load(s1 + off), l2 = v128.load(s2 + off), l3 = v128.load(s3 + off);
    const h0 = v128.load(s0 + off, 16), h1 = v128.load(s1 + off, 16), h2 = v128.load(s2 + off, 16), h3 = v128.load(s3 + off, 16);
    const a = v128.shuffle<f32>(l0, l1, 0, 4, 1, 5), b = v128.shuffle<f32>(l2, l3, 0, 4, 1, 5);
    const c = v128.shuffle<f32>(l0, l1, 2, 6, 3, 7), d = v128.shuffle<f32>(l2, l3, 2, 6, 3, 7);
    const e0 = v128.shuffle<f64>(a, b, 0, 2), e1 = v128.shuffle<f64>(a, b, 1, 3);
    const e2 = v128.shuffle<f64>(c, d, 0, 2), e3 = v128.shuffle<f64>(c, d, 1, 3);
    const f = v128.shuffle<f32>(h0, h1, 0, 4, 1, 5), g = v128.shuffle<f32>(h2, h3, 0, 4, 1, 5);
    const e4 = v128.shuffle<f64>(f, g, 0, 2), e5 = v128.shuffle<f64>(f, g, 1, 3);
    // tmp[l][i] = (row i of the window) B, column l.
    const t = tmp + (<usize>i << 4);
    v128.store(t, bRow(0, e0, e1, e2, e3, e4, e5));
    v128.store(t, bRow(1, e0, e1, e2, e3, e4, e5), 96);
    v128.store(t, bRow(2, e0, e1, e2, e3, e4, e5), 192);
    v128.store(t, bRow(3, e0, e1, e2, e3, e4, e5), 288);
    v128.store(t, bRow(4, e0, e1, e2, e3, e4, e5), 384);
    v128.store(t, bRow(5, e0, e1, e2, e3, e4, e5), 480);
    off += rs;
  }
  for (let l = 0; l < 6; l++) {
    const t = tmp + <usize>(l * 96);
    const c0 = v128.load(t), c1 = v128.load(t, 16), c2 = v128.load(t, 32);
    const c3 = v128.load(t, 48), c4 = v128.load(t, 64), c5 = v128.load(t, 80);
    putOr(v, r, q, lanes, l, bRow(0, c0, c1, c2, c3, c4, c5), out);
    putOr(v, r, q, lanes, 6 + l, bRow(1, c0, c1, c2, c3, c4, c5), out);
    putOr(v, r, q, lanes, 12 + l, bRow(2, c0, c1, c2, c3, c4, c5), out);
    putOr(v, r, q, lanes, 18 + l, bRow(3, c0, c1, c2, c3, c4, c5), out);
    putOr(v, r, q, lanes, 24 + l, bRow(4, c0, c1, c2, c3, c4, c5), out);
    putOr(v, r, q, lanes, 30 + l, bRow(5, c0, c1, c2, c3, c4, c5), out);
  }
}

/**
 * Output-gradient tiles Z = A dy A^T, as k_winoDy (winograd.ts) with 4x4 blocks of dy: four tiles side by
 * side as vectors, read with bounds checks only at the map's right and bottom edges.
 */
export function k_wino4Dy(tid: i32, nt: i32, args: usize): void {
  const dy = ap(args, Wino4Dy.dy), z = ap(args, Wino4Dy.z), n0 = ai(args, Wino4Dy.n0), nimg = ai(args, Wino4Dy.nimg), o = ai(args, Wino4Dy.o);
  const oh = ai(args, Wino4Dy.oh), ow = ai(args, Wino4Dy.ow), th = ai(args, Wino4Dy.th), tw = ai(args, Wino4Dy.tw), rows = ai(args, Wino4Dy.rows);
  const cols = ai(args, Wino4Dy.cols);
  const tmp = ap(args, Wino4Dy.tmp) + <usize>(tid * TMP_BYTES);
  readLayout(args, Wino4Dy.winoLayout);
  const tiles = nimg * th * tw;
  const gs = 1 << l_rShift, groups = (rows + gs - 1) / gs;
  // Units as in k_wino4Input: a block of images and a group of rows; the trailing units zero the padding columns.
  const perImage = th * tw, ib = imagesPerUnit(perImage), blocks = (nimg + ib - 1) / ib;
  const units = blocks * groups + groups;
  const u0 = splitStart(units, tid, nt, 1), u1 = splitEnd(units, tid, nt, 1);
  const planeBytes = <usize>(oh * ow) << 2, imageBytes = <usize>o * planeBytes;
  for (let u = u0; u < u1; u++) {
    if (u >= blocks * groups) {
      const g = u - blocks * groups;
      zeroBlock(z, g * gs, min(rows, g * gs + gs), tiles, cols, MATS);
      continue;
    }
    const b = u / groups, g = u - b * groups;
    const r0 = g * gs, r1 = min(rows, r0 + gs), rc = min(o, r1);
    const nb = b * ib, nbi = min(ib, nimg - nb), q0 = nb * perImage, blockTiles = nbi * perImage;
    zeroBlock(z, max(r0, o), r1, q0, q0 + blockTiles, MATS);
    const image = dy + <usize>(n0 + nb) * imageBytes;
    // Four consecutive tiles at a time, as in k_wino4Input: lane t's block of dy starts i_t images on at (y_t, x_t).
    for (let k = 0; k < blockTiles; k += 4) {
      const q = q0 + k, lanes = min(4, blockTiles - k);
      const k1 = lanes > 1 ? k + 1 : k, k2 = lanes > 2 ? k + 2 : k, k3 = lanes > 3 ? k + 3 : k;
      const i0 = k / perImage, i1 = k1 / perImage, i2 = k2 / perImage, i3 = k3 / perImage;
      const y0 = tileRow(k - i0 * perImage, tw, SIDE), y1 = tileRow(k1 - i1 * perImage, tw, SIDE);
      const y2 = tileRow(k2 - i2 * perImage, tw, SIDE), y3 = tileRow(k3 - i3 * perImage, tw, SIDE);
      const x0 = tileCol(k - i0 * perImage, tw, SIDE), x1 = tileCol(k1 - i1 * perImage, tw, SIDE);
      const x2 = tileCol(k2 - i2 * perImage, tw, SIDE), x3 = tileCol(k3 - i3 * perImage, tw, SIDE);
      const inside = lanes == 4 && max(max(x0, x1), max(x2, x3)) + 4 <= ow && max(max(y0, y1), max(y2, y3)) + 4 <= oh;
      const im0 = <usize>i0 * imageBytes, im1 = <usize>i1 * imageBytes, im2 = <usize>i2 * imageBytes, im3 = <usize>i3 * imageBytes;
      const o0 = im0 + (<usize>(y0 * ow + x0) << 2), o1 = im1 + (<usize>(y1 * ow + x1) << 2);
      const o2 = im2 + (<usize>(y2 * ow + x2) << 2), o3 = im3 + (<usize>(y3 * ow + x3) << 2);
      // The filter gradient's layout puts four channels side by side: four at a time, transposed (putQuad).
      const quad = l_ql != 1;
      for (let r = r0; r < rc; r++) {
        const plane = image + <usize>r * planeBytes;
        const slot = r & 3, out = quad ? tmp + TILES_AT + <usize>(slot * MATS * 16) : 0;
        // tmp[l][i] = (row i of the four dy blocks) A^T, column l.
        for (let i = 0; i < 4; i++) {
          let e0: v128, e1: v128, e2: v128, e3: v128;
          if (inside) {
            const p = plane + <usize>(i * ow) * 4;
            const l0 = v128.load(p + o0), l1 = v128.load(p + o1), l2 = v128.load(p + o2), l3 = v128.load(p + o3);
            const a = v128.shuffle<f32>(l0, l1, 0, 4, 1, 5), b = v128.shuffle<f32>(l2, l3, 0, 4, 1, 5);
            const c = v128.shuffle<f32>(l0, l1, 2, 6, 3, 7), d = v128.shuffle<f32>(l2, l3, 2, 6, 3, 7);
            e0 = v128.shuffle<f64>(a, b, 0, 2); e1 = v128.shuffle<f64>(a, b, 1, 3);
            e2 = v128.shuffle<f64>(c, d, 0, 2); e3 = v128.shuffle<f64>(c, d, 1, 3);
          } else {
            // Lane t: row i of block t, zeros outside the map (lanes past the tiles repeat the first).
            const g = tmp + 512;
            blockRowTo(g, plane + im0, y0 + i, x0, oh, ow, 0, SIDE);
            blockRowTo(g, plane + im1, y1 + i, x1, oh, ow, 1, SIDE);
            blockRowTo(g, plane + im2, y2 + i, x2, oh, ow, 2, SIDE);
            blockRowTo(g, plane + im3, y3 + i, x3, oh, ow, 3, SIDE);
            e0 = v128.load(g); e1 = v128.load(g, 16); e2 = v128.load(g, 32); e3 = v128.load(g, 48);
          }
          const t = tmp + (<usize>i << 4);
          v128.store(t, aCol(0, e0, e1, e2, e3));
          v128.store(t, aCol(1, e0, e1, e2, e3), 64);
          v128.store(t, aCol(2, e0, e1, e2, e3), 128);
          v128.store(t, aCol(3, e0, e1, e2, e3), 192);
          v128.store(t, aCol(4, e0, e1, e2, e3), 256);
          v128.store(t, aCol(5, e0, e1, e2, e3), 320);
        }
        for (let l = 0; l < 6; l++) {
          const t = tmp + <usize>(l * 64);
          const c0 = v128.load(t), c1 = v128.load(t, 16), c2 = v128.load(t, 32), c3 = v128.load(t, 48);
          putOr(z, r, q, lanes, l, aCol(0, c0, c1, c2, c3), out);
          putOr(z, r, q, lanes, 6 + l, aCol(1, c0, c1, c2, c3), out);
          putOr(z, r, q, lanes, 12 + l, aCol(2, c0, c1, c2, c3), out);
          putOr(z, r, q, lanes, 18 + l, aCol(3, c0, c1, c2, c3), out);
          putOr(z, r, q, lanes, 24 + l, aCol(4, c0, c1, c2, c3), out);
          putOr(z, r, q, lanes, 30 + l, aCol(5, c0, c1, c2, c3), out);
        }
        if (quad && (slot == 3 || r == rc - 1)) putQuad(z, r - slot, q, lanes, slot + 1, tmp + TILES_AT, MATS);
      }
    }
  }
}

/**
 * Filters U = G g G^T, as k_winoFilter (winograd.ts): flip = 0: w is [rows, chans, 3, 3]; flip = 1: w is
 * [chans, rows, 3, 3] with the taps reversed (the input gradient). U's layout is MR-row panels (rows r to
 * r + 3 side by side), so four rows run at once as vectors; threads split the panels.
 */
export function k_wino4Filter(tid: i32, nt: i32, args: usize): void {
  const w = ap(args, Wino4Filter.w), u = ap(args, Wino4Filter.u), rows = ai(args, Wino4Filter.rows), chans = ai(args, Wino4Filter.chans), flip = ai(args, Wino4Filter.flip) != 0;
  const rowsPad = ai(args, Wino4Filter.rowsPad), chansPad = ai(args, Wino4Filter.chansPad);
  const tmp = ap(args, Wino4Filter.tmp) + <usize>(tid * TMP_BYTES);
  readLayout(args, Wino4Filter.winoLayout);
  const panels = rowsPad / MR;
  const p0 = splitStart(panels, tid, nt, 1), p1 = splitEnd(panels, tid, nt, 1);
  for (let pi = p0; pi < p1; pi++) {
    const r0 = pi * MR, n = min(MR, rows - r0);
    for (let qb = 0; qb < chansPad; qb += FILTER_RUN) {
      const qn = min(FILTER_RUN, chansPad - qb);
      // tmp[xi][j] = U[xi] of column qb + j for the panel's four rows, then stored matrix by matrix.
      for (let j = 0; j < qn; j++) {
        const q = qb + j, t = tmp + (<usize>j << 4);
        if (n <= 0 || q >= chans) {
          for (let xi = 0; xi < MATS; xi++) v128.store(t + <usize>(xi * FILTER_RUN * 16), f32x4.splat(0));
          continue;
        }
        const t00 = filterTaps(w, r0, n, q, rows, chans, 0, flip), t01 = filterTaps(w, r0, n, q, rows, chans, 1, flip);
        const t02 = filterTaps(w, r0, n, q, rows, chans, 2, flip), t10 = filterTaps(w, r0, n, q, rows, chans, 3, flip);
        const t11 = filterTaps(w, r0, n, q, rows, chans, 4, flip), t12 = filterTaps(w, r0, n, q, rows, chans, 5, flip);
        const t20 = filterTaps(w, r0, n, q, rows, chans, 6, flip), t21 = filterTaps(w, r0, n, q, rows, chans, 7, flip);
        const t22 = filterTaps(w, r0, n, q, rows, chans, 8, flip);
        for (let k = 0; k < 6; k++) {
          // Row k of G g, then its products with G^T's columns.
          const h0 = gRow(k, t00, t10, t20), h1 = gRow(k, t01, t11, t21), h2 = gRow(k, t02, t12, t22);
          const row = t + <usize>(6 * k * FILTER_RUN * 16), step = <usize>(FILTER_RUN * 16);
          v128.store(row, gRow(0, h0, h1, h2));
          v128.store(row + step, gRow(1, h0, h1, h2));
          v128.store(row + 2 * step, gRow(2, h0, h1, h2));
          v128.store(row + 3 * step, gRow(3, h0, h1, h2));
          v128.store(row + 4 * step, gRow(4, h0, h1, h2));
          v128.store(row + 5 * step, gRow(5, h0, h1, h2));
        }
      }
      for (let xi = 0; xi < MATS; xi++) {
        const src = tmp + <usize>(xi * FILTER_RUN * 16), dst = u + (<usize>(xi * l_xi) << 2);
        for (let j = 0; j < qn; j++) v128.store(dst + (at(r0, qb + j) << 2), v128.load(src + (<usize>j << 4)));
      }
    }
  }
}

/**
 * Output tiles y = A^T M A (+ bias), as k_winoOutput (winograd.ts): four tiles side by side from M's
 * columns as vectors, transposed into rows of outputs; at the map's right and bottom edges the outputs go
 * through tmp and are stored one by one.
 */
export function k_wino4Output(tid: i32, nt: i32, args: usize): void {
  const m = ap(args, Wino4Output.m), y = ap(args, Wino4Output.y), bias = ap(args, Wino4Output.bias), n0 = ai(args, Wino4Output.n0), nimg = ai(args, Wino4Output.nimg);
  const o = ai(args, Wino4Output.o), oh = ai(args, Wino4Output.oh), ow = ai(args, Wino4Output.ow), th = ai(args, Wino4Output.th), tw = ai(args, Wino4Output.tw);
  const rowsPad = ai(args, Wino4Output.rowsPad), cols = ai(args, Wino4Output.cols);
  const tmp = ap(args, Wino4Output.tmp) + <usize>(tid * TMP_BYTES);
  const step = spaced(rowsPad * cols) << 2;
  // Units: a block of images (imagesPerUnit, as the input transform's) and an output channel.
  const perImage = th * tw, ib = imagesPerUnit(perImage), blocks = (nimg + ib - 1) / ib;
  const imageBytes = (<usize>o * <usize>(oh * ow)) << 2;
  const units = blocks * o;
  const u0 = splitStart(units, tid, nt, 1), u1 = splitEnd(units, tid, nt, 1);
  for (let u = u0; u < u1; u++) {
    const b = u / o, r = u - b * o;
    const nb = b * ib, blockTiles = min(ib, nimg - nb) * perImage;
    const add = f32x4.splat(bias != 0 ? load<f32>(bias + (<usize>r << 2)) : 0);
    const plane = y + ((<usize>((n0 + nb) * o + r) * <usize>(oh * ow)) << 2);
    const base = m + (<usize>(r * cols + nb * perImage) << 2);
    // Four consecutive tiles at a time, as in k_wino4Input: lane t's tile is in image i_t of the block.
    for (let kt = 0; kt < blockTiles; kt += 4) {
      const src = base + (<usize>kt << 2);
      const lanes = min(4, blockTiles - kt);
      const k1 = lanes > 1 ? kt + 1 : kt, k2 = lanes > 2 ? kt + 2 : kt, k3 = lanes > 3 ? kt + 3 : kt;
      const i0 = kt / perImage, i1 = k1 / perImage, i2 = k2 / perImage, i3 = k3 / perImage;
      const p0 = plane + <usize>i0 * imageBytes, p1 = plane + <usize>i1 * imageBytes;
      const p2 = plane + <usize>i2 * imageBytes, p3 = plane + <usize>i3 * imageBytes;
      // The tiles' first output rows and columns.
      const ry0 = tileRow(kt - i0 * perImage, tw, SIDE), ry1 = tileRow(k1 - i1 * perImage, tw, SIDE);
      const ry2 = tileRow(k2 - i2 * perImage, tw, SIDE), ry3 = tileRow(k3 - i3 * perImage, tw, SIDE);
      const rx0 = tileCol(kt - i0 * perImage, tw, SIDE), rx1 = tileCol(k1 - i1 * perImage, tw, SIDE);
      const rx2 = tileCol(k2 - i2 * perImage, tw, SIDE), rx3 = tileCol(k3 - i3 * perImage, tw, SIDE);
      // Four tiles side by side in one tile row of one image, inside the map: their rows are 16 adjacent outputs.
      const adjacent = lanes == 4 && i0 == i3 && ry0 == ry3 && rx0 + 16 <= ow;
      // tmp[k][j] = row k of A^T times column j of M (M[i][j] is matrix 6i + j).
      for (let j = 0; j < 6; j++) {
        const p = src + <usize>j * step;
        const m0 = v128.load(p), m1 = v128.load(p + 6 * step), m2 = v128.load(p + 12 * step);
        const m3 = v128.load(p + 18 * step), m4 = v128.load(p + 24 * step), m5 = v128.load(p + 30 * step);
        const t = tmp + (<usize>j << 4);
        v128.store(t, aRow(0, m0, m1, m2, m3, m4, m5));
        v128.store(t, aRow(1, m0, m1, m2, m3, m4, m5), 96);
        v128.store(t, aRow(2, m0, m1, m2, m3, m4, m5), 192);
        v128.store(t, aRow(3, m0, m1, m2, m3, m4, m5), 288);
      }
      for (let k = 0; k < 4; k++) {
        const t = tmp + <usize>(k * 96);
        const s0 = v128.load(t), s1 = v128.load(t, 16), s2 = v128.load(t, 32);
        const s3 = v128.load(t, 48), s4 = v128.load(t, 64), s5 = v128.load(t, 80);
        const y0 = f32x4.add(aRow(0, s0, s1, s2, s3, s4, s5), add), y1 = f32x4.add(aRow(1, s0, s1, s2, s3, s4, s5), add);
        const y2 = f32x4.add(aRow(2, s0, s1, s2, s3, s4, s5), add), y3 = f32x4.add(aRow(3, s0, s1, s2, s3, s4, s5), add);
        // Lane t of y_l is output (k, l) of tile t; transposed, vector t is tile t's row k.
        const a = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), b = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
        const c = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), d = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
        if (adjacent && ry0 + k < oh) {
          const dst = p0 + (<usize>((ry0 + k) * ow + rx0) << 2);
          v128.store(dst, v128.shuffle<f64>(a, b, 0, 2));
          v128.store(dst, v128.shuffle<f64>(a, b, 1, 3), 16);
          v128.store(dst, v128.shuffle<f64>(c, d, 0, 2), 32);
          v128.store(dst, v128.shuffle<f64>(c, d, 1, 3), 48);
          continue;
        }
        putRow4(p0, ry0 + k, rx0, oh, ow, tmp + 576, v128.shuffle<f64>(a, b, 0, 2));
        if (lanes > 1) putRow4(p1, ry1 + k, rx1, oh, ow, tmp + 576, v128.shuffle<f64>(a, b, 1, 3));
        if (lanes > 2) putRow4(p2, ry2 + k, rx2, oh, ow, tmp + 576, v128.shuffle<f64>(c, d, 0, 2));
        if (lanes > 3) putRow4(p3, ry3 + k, rx3, oh, ow, tmp + 576, v128.shuffle<f64>(c, d, 1, 3));
      }
    }
  }
}

/**
 * Stores the four outputs at (oy, ox..ox+3) of an oh x ow plane: one vector where they lie inside the map,
 * else through `buf` those that do.
 */
// @ts-ignore: decorator
@inline function putRow4(plane: usize, oy: i32, ox: i32, oh: i32, ow: i32, buf: usize, row: v128): void {
  if (oy >= oh) return;
  const dst = plane + (<usize>(oy * ow + ox) << 2);
  if (ox + 4 <= ow) {
    v128.store(dst, row);
    return;
  }
  v128.store(buf, row);
  for (let e = 0; ox + e < ow; e++) store<f32>(dst + (<usize>e << 2), load<f32>(buf + (<usize>e << 2)));
}

/**
 * Filter gradient dw = G^T S G, as k_winoFilterGrad (winograd.ts). S[xi] is rowsPad x colsPad (row =
 * output channel, column = input channel); dw is [o, c, 3, 3]. Four input channels at once as vectors;
 * threads split the output channels.
 */
export function k_wino4FilterGrad(tid: i32, nt: i32, args: usize): void {
  const s = ap(args, Wino4FilterGrad.s), dw = ap(args, Wino4FilterGrad.dw), o = ai(args, Wino4FilterGrad.o), c = ai(args, Wino4FilterGrad.c), colsPad = ai(args, Wino4FilterGrad.colsPad);
  const rowsPad = (o + MR - 1) / MR * MR;
  const step = spaced(rowsPad * colsPad) << 2;
  const tmp = ap(args, Wino4FilterGrad.tmp) + <usize>(tid * TMP_BYTES);
  const r0 = splitStart(o, tid, nt, 1), r1 = splitEnd(o, tid, nt, 1);
  for (let r = r0; r < r1; r++) {
    for (let q = 0; q < c; q += 4) {
      // S's columns q to q + 3 of each matrix, copied to tmp 16 at a time (reads of 64 bytes from each of
      // the 36 matrices instead of 16: FILTER_RUN). colsPad is a multiple of 8, so the last runs read
      // columns of S that exist (zeros past c).
      if ((q & 15) == 0) {
        const src = s + (<usize>(r * colsPad + q) << 2), run = min(16, colsPad - q) << 2;
        for (let xi = 0; xi < MATS; xi++) memory.copy(tmp + <usize>(xi << 6), src + <usize>xi * step, run);
      }
      const p = tmp + <usize>((q & 15) << 2);
      const out = dw + ((<usize>(r * c + q) * 9) << 2), lanes = min(4, c - q);
      for (let k = 0; k < 3; k++) {
        // Row k of G^T S (S[i][j] is matrix 6i + j), then its products with G's columns.
        const w0 = gColOf(k, p, 64);
        const w1 = gColOf(k, p + 64, 64);
        const w2 = gColOf(k, p + 128, 64);
        const w3 = gColOf(k, p + 192, 64);
        const w4 = gColOf(k, p + 256, 64);
        const w5 = gColOf(k, p + 320, 64);
        const row = out + <usize>(12 * k);
        put9(row, lanes, gCol(0, w0, w1, w2, w3, w4, w5));
        put9(row + 4, lanes, gCol(1, w0, w1, w2, w3, w4, w5));
        put9(row + 8, lanes, gCol(2, w0, w1, w2, w3, w4, w5));
      }
    }
  }
}

/** Row k of G^T times the columns of S whose first values are at p (the next ones 6 matrices apart). */
// @ts-ignore: decorator
@inline function gColOf(k: i32, p: usize, step: usize): v128 {
  const s6 = <usize>6 * step;
  return gCol(k, v128.load(p), v128.load(p + 1 * s6), v128.load(p + 2 * s6), v128.load(p + 3 * s6), v128.load(p + 4 * s6), v128.load(p + 5 * s6));
}
