/**
 * Resizing and cropping uint8 images the way torchvision does on PIL images: Pillow's two-pass
 * convolution resampling (horizontal pass into a uint8 image, then vertical), with Pillow's bilinear
 * (triangle) filter widened by the scale when shrinking (antialiasing) and its 22-bit fixed-point
 * coefficients, so that the results equal `Image.resize(..., BILINEAR)` exactly; `Resize(N)` (shorter side
 * to N, the longer to int(N * long / short)); `CenterCrop(N)` (offsets rounded half to even, as Python's
 * round); and Pillow's `convert("L")` / `convert("RGB")` between grey and colour. Browser-safe: the
 * input is decoded pixels (sharp in Node, OffscreenCanvas in a browser).
 */
import type { Channels } from "./dataset.js";

/** Decoded pixels, interleaved (HWC): 1 grey, 2 grey+alpha, 3 RGB or 4 RGBA channels of uint8. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);
const MAX = 2 ** (PRECISION_BITS + 8);

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter (support 1). */
function coefficients(inSize: number, in0: number, in1: number, outSize: number) {
  const scale = (in1 - in0) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Float64Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    const w = new Float64Array(Math.max(xmax, 0));
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      w[x] = t < 1 ? 1 - t : 0;
      ww += w[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x]! / ww : w[x]!;
      kk[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = Math.max(xmax, 0);
  }
  return { bounds, kk, ksize };
}

const clip8 = (v: number) => (v >= MAX ? 255 : v <= 0 ? 0 : Math.floor(v / ONE));

/**
 * `src` (HWC, `c` channels, `w` x `h`) resized to `outW` x `outH` with Pillow's BILINEAR resampling,
 * optionally from the box [x0, y0, x1, y1] of the source (Pillow's `box`, in pixels). A pass whose size
 * and box do not change is skipped, as Pillow does.
 */
export function resizeBilinearPil(
  src: Uint8Array,
  w: number,
  h: number,
  c: number,
  outW: number,
  outH: number,
  box: readonly [number, number, number, number] = [0, 0, w, h],
): Uint8Array {
  const [x0, y0, x1, y1] = box;
  let cur = src;
  let curW = w;
  let rowOffset = 0;
  let rows = h;
  const needH = outW !== w || x0 !== 0 || x1 !== outW;
  const needV = outH !== h || y0 !== 0 || y1 !== outH;
  const vert = coefficients(h, y0, y1, outH);
  if (needH) {
    const { bounds, kk, ksize } = coefficients(w, x0, x1, outW);
    // Only the rows the vertical pass reads (Pillow's ybox_first .. ybox_last).
    const first = vert.bounds[0]!;
    const last = vert.bounds[2 * outH - 2]! + vert.bounds[2 * outH - 1]!;
    rows = needV ? last - first : h;
    rowOffset = needV ? first : 0;
    const tmp = new Uint8Array(outW * rows * c);
    for (let y = 0; y < rows; y++) {
      const srcRow = (y + rowOffset) * w * c;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[2 * xx]!;
        const xmax = bounds[2 * xx + 1]!;
        const k = xx * ksize;
        for (let ch = 0; ch < c; ch++) {
          let ss = HALF;
          for (let x = 0; x < xmax; x++) ss += src[srcRow + (x + xmin) * c + ch]! * kk[k + x]!;
          tmp[(y * outW + xx) * c + ch] = clip8(ss);
        }
      }
    }
    cur = tmp;
    curW = outW;
  }
  if (!needV) return needH ? cur : src.slice();
  const out = new Uint8Array(outW * outH * c);
  const { bounds, kk, ksize } = vert;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[2 * yy]! - rowOffset;
    const ymax = bounds[2 * yy + 1]!;
    const k = yy * ksize;
    for (let xx = 0; xx < curW; xx++) {
      for (let ch = 0; ch < c; ch++) {
        let ss = HALF;
        for (let y = 0; y < ymax; y++) ss += cur[((y + ymin) * curW + xx) * c + ch]! * kk[k + y]!;
        out[(yy * curW + xx) * c + ch] = clip8(ss);
      }
    }
  }
  return out;
}

/** torchvision's `Resize(size)` output size for an image of w x h: the shorter side becomes `size`. */
export function resizedSize(w: number, h: number, size: number): { width: number; height: number } {
  const [short, long] = w <= h ? [w, h] : [h, w];
  const newLong = Math.trunc((size * long) / short);
  return w <= h ? { width: size, height: newLong } : { width: newLong, height: size };
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Pillow's mode conversion to `to` channels: RGB -> L as (19595 R + 38470 G + 7471 B + 0x8000) >> 16
 * (ITU-R 601-2 luma), L -> RGB by repetition; alpha is dropped, not composited (as `convert` does).
 */
export function convertChannels(img: RawImage, to: Channels): RawImage {
  const { data, width, height, channels } = img;
  if (channels === to) return img;
  const n = width * height;
  const out = new Uint8Array(n * to);
  const colour = channels >= 3;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (to === 1) {
      out[i] = colour
        ? (data[s]! * 19595 + data[s + 1]! * 38470 + data[s + 2]! * 7471 + 0x8000) >>> 16
        : data[s]!;
    } else if (colour) {
      out[3 * i] = data[s]!;
      out[3 * i + 1] = data[s + 1]!;
      out[3 * i + 2] = data[s + 2]!;
    } else {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[s]!;
    }
  }
  return { data: out, width, height, channels: to };
}

/**
 * The stored form of a decoded image: converted to `channels`, then torchvision's `Resize(size)` +
 * `CenterCrop(size)` (Pillow bilinear), channel-first. Writes into `out` (size*size*channels bytes) when given.
 */
export function fitImage(img: RawImage, channels: Channels, size: number, out?: Uint8Array): Uint8Array {
  const conv = convertChannels(img, channels);
  const { width: w, height: h } = conv;
  const r = resizedSize(w, h, size);
  const resized =
    r.width === w && r.height === h
      ? conv.data
      : resizeBilinearPil(conv.data, w, h, channels, r.width, r.height);
  const top = roundHalfEven((r.height - size) / 2);
  const left = roundHalfEven((r.width - size) / 2);
  const chw = out ?? new Uint8Array(size * size * channels);
  const plane = size * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const s = ((y + top) * r.width + x + left) * channels;
      for (let ch = 0; ch < channels; ch++) chw[ch * plane + y * size + x] = resized[s + ch]!;
    }
  }
  return chw;
}
