/**
 * Which filter taps meet the input. With padding, a border output reads some taps only from the
 * padding, so their products are zeros: a 3x3 conv with padding 1 uses 4 of its 9 taps per output on
 * a 2x2 input, about 6 on a 4x4 one, 1 on a 1x1 one. Two ways to skip them:
 * - tap classes (`tapClasses`): outputs whose live taps are the same rectangle form a class, and the
 *   conv is the sum over classes of a conv restricted to the class's outputs and taps. No class reads
 *   outside the input, so the input needs no zero-padded copy either;
 * - dead taps (`cropDeadTaps`): taps that meet only padding for every output are cut from the filter
 *   (for the strided input gradient, which does not run by classes).
 */
import { type ConvGeometry, windowOutSize } from "@resnet-ts/tensor";

/** Live taps [t0, t1) of one axis for output position `o` (t1 <= t0: none). */
function liveAt(o: number, size: number, k: number, stride: number, pad: number): [number, number] {
  const start = o * stride - pad;
  return [Math.max(0, -start), Math.min(k, size - start)];
}

/** Taps [t0, t1) of one axis that read inside the input for at least one output position. */
function liveTaps(size: number, k: number, stride: number, pad: number, out: number): [number, number] {
  let t0 = k;
  let t1 = 0;
  for (let o = 0; o < out; o++) {
    const [a, b] = liveAt(o, size, k, stride, pad);
    if (a < b) {
      t0 = Math.min(t0, a);
      t1 = Math.max(t1, b);
    }
  }
  return [t0, t1];
}

interface Cropped {
  /** The conv over the live taps only: same input and output, smaller filter, less padding. */
  g: ConvGeometry;
  kh0: number;
  kw0: number;
}

/**
 * Returns the conv with the filter cropped to the taps that are live for some output (a 3x3 conv with
 * padding 1 on a 1x1 input keeps 1), or null when every tap is live (or the cropped conv would not
 * give the same output size).
 */
export function cropDeadTaps(g: ConvGeometry): Cropped | null {
  const [kh0, kh1] = liveTaps(g.h, g.kh, g.sh, g.ph, g.oh);
  const [kw0, kw1] = liveTaps(g.w, g.kw, g.sw, g.pw, g.ow);
  if (kh1 - kh0 === g.kh && kw1 - kw0 === g.kw) return null;
  if (kh1 <= kh0 || kw1 <= kw0) return null;
  const c: ConvGeometry = { ...g, kh: kh1 - kh0, kw: kw1 - kw0, ph: g.ph - kh0, pw: g.pw - kw0 };
  if (windowOutSize(g.h, c.kh, c.sh, c.ph) !== g.oh || windowOutSize(g.w, c.kw, c.sw, c.pw) !== g.ow)
    return null;
  return { g: c, kh0, kw0 };
}

/** Output rows [oy0, oy0+ohc) x columns [ox0, ox0+owc), all with live taps [ky0, ky0+khc) x [kx0, kx0+kwc). */
export interface TapClass {
  oy0: number;
  ohc: number;
  ox0: number;
  owc: number;
  ky0: number;
  khc: number;
  kx0: number;
  kwc: number;
}

interface Segment {
  o0: number;
  count: number;
  t0: number;
  tc: number;
}

/** Runs of consecutive output positions of one axis with the same live taps; null if one has none. */
function segments(size: number, k: number, stride: number, pad: number, out: number): Segment[] | null {
  const runs: Segment[] = [];
  for (let o = 0; o < out; o++) {
    const [t0, t1] = liveAt(o, size, k, stride, pad);
    if (t1 <= t0) return null;
    const last = runs.at(-1);
    if (last && last.t0 === t0 && last.tc === t1 - t0) last.count++;
    else runs.push({ o0: o, count: 1, t0, tc: t1 - t0 });
  }
  return runs;
}

/** The whole conv as one class: every output, every tap. */
export const wholeClass = (g: ConvGeometry): TapClass => ({
  oy0: 0,
  ohc: g.oh,
  ox0: 0,
  owc: g.ow,
  ky0: 0,
  khc: g.kh,
  kx0: 0,
  kwc: g.kw,
});

/**
 * The conv's outputs split into tap classes when that skips at least `minSaving` of its products (each
 * class is a GEMM launch of its own: for a few percent a zero-padded copy and one GEMM are cheaper);
 * otherwise, or when some output meets no tap at all, null: run it as one class over a padded input.
 */
export function tapClasses(g: ConvGeometry, minSaving = 0.15): TapClass[] | null {
  const ys = segments(g.h, g.kh, g.sh, g.ph, g.oh);
  const xs = segments(g.w, g.kw, g.sw, g.pw, g.ow);
  if (!ys || !xs) return null;
  const classes = ys.flatMap((y) =>
    xs.map((x) => ({
      oy0: y.o0,
      ohc: y.count,
      ox0: x.o0,
      owc: x.count,
      ky0: y.t0,
      khc: y.tc,
      kx0: x.t0,
      kwc: x.tc,
    })),
  );
  const live = classes.reduce((sum, c) => sum + c.ohc * c.owc * c.khc * c.kwc, 0);
  return live <= (1 - minSaving) * g.oh * g.ow * g.kh * g.kw ? classes : null;
}
