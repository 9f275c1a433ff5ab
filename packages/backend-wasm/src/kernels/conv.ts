/**
 * Convolution kernels and MatMul: the JS side sizes the blocks and scratch space, packs the A operand
 * (weights, or their transpose) and hands the GEMM to the module (assembly/conv.ts), where every
 * thread takes its share of output columns (forward, MatMul) or of images (both gradients).
 */
import { type ConvGeometry, convGeometry, type KernelConfig, matmulDims } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import { type Cropped, cropDeadTaps, type TapClass, tapClasses, wholeClass } from "./taps.js";

/** Micro-tile rows and columns (assembly/gemm.ts). */
const MR = 4;
const NR = 8;
/** Depth of a packed block (kc) and its columns (nc): a kc x nc block of B stays in L2. */
const KC = 256;
const NC = 256;
/** Largest dcols block of the input gradient, in floats (ckk x nc), before col2im empties it. */
const DCOLS_FLOATS = 1 << 18;

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

const geomArgs = (g: ConvGeometry) => [
  g.n,
  g.c,
  g.h,
  g.w,
  g.o,
  g.kh,
  g.kw,
  g.oh,
  g.ow,
  g.sh,
  g.sw,
  g.ph,
  g.pw,
];

/** Class argument words (assembly/conv.ts): outputs, first taps, dw's filter layout, accumulate. */
const classArgs = (c: TapClass, fkh: number, fkw: number, acc: boolean) => [
  c.oy0,
  c.ohc,
  c.ox0,
  c.owc,
  c.ky0,
  c.kx0,
  fkh,
  fkw,
  acc ? 1 : 0,
];

/** Geometry words for one class of g over its zero-padded input: the filter is the class's taps. */
const classGeomArgs = (g: ConvGeometry, c: TapClass) => geomArgs({ ...padded(g), kh: c.khc, kw: c.kwc });

/** The geometry over a zero-padded input: the module's packers assume every window lies inside. */
const padded = (g: ConvGeometry): ConvGeometry => ({
  ...g,
  h: g.h + 2 * g.ph,
  w: g.w + 2 * g.pw,
  ph: 0,
  pw: 0,
});

/** x, zero-padded into scratch when the conv pads (else x itself); returns its offset. */
function padInput(backend: WasmBackend, x: number, g: ConvGeometry): number {
  if (g.ph === 0 && g.pw === 0) return x;
  const p = padded(g);
  const dst = backend.scratch("xpad", g.n * g.c * p.h * p.w * 4);
  backend.runtime.run("k_pad", [x, dst, g.n * g.c, g.h, g.w, g.ph, g.pw], g.n * g.c * p.h * p.w >= 1 << 15);
  return dst;
}

/** Copies taps [kh0, kh0+khc) x [kw0, kw0+kwc) of each of `planes` [kh, kw] filter planes into scratch `slot`. */
function cropTaps(
  backend: WasmBackend,
  slot: string,
  w: number,
  planes: number,
  kh: number,
  kw: number,
  c: TapClass,
): number {
  const dst = backend.scratch(slot, planes * c.khc * c.kwc * 4);
  const args = [w, dst, planes, kh, kw, c.ky0, c.khc, c.kx0, c.kwc, 0];
  backend.runtime.run("k_taps", args, planes * kh * kw >= 1 << 15);
  return dst;
}

/** The filter w [o, c, kh, kw] cropped to the live taps, in scratch; returns its offset. */
function cropFilter(backend: WasmBackend, w: number, full: ConvGeometry, cut: Cropped): number {
  const c = { ...wholeClass(cut.g), ky0: cut.kh0, kx0: cut.kw0 };
  return cropTaps(backend, "wcrop", w, full.o * full.c, full.kh, full.kw, c);
}

/** Packed weights [o, c * khc * kwc] of a class, from unpacked weights w [o, c, kh, kw] (geometry g). */
function packClass(backend: WasmBackend, w: number, g: ConvGeometry, c: TapClass): number {
  const wc = c.khc === g.kh && c.kwc === g.kw ? w : cropTaps(backend, "wclass", w, g.o * g.c, g.kh, g.kw, c);
  const k = g.c * c.khc * c.kwc;
  return packA(backend, "packA", wc, k, 1, g.o, k);
}

/** Packs the m x k matrix at `src` (element (i, p) at i*rs + p*cs floats) into MR panels in scratch `slot`. */
function packA(
  backend: WasmBackend,
  slot: string,
  src: number,
  rs: number,
  cs: number,
  m: number,
  k: number,
): number {
  const dst = backend.scratch(slot, roundUp(m, MR) * k * 4);
  backend.runtime.run("k_packA", [src, rs, cs, m, k, dst], m * k >= 1 << 15);
  return dst;
}

/** Per-thread scratch: `bytes` each, 64-byte aligned; returns [base, stride]. */
function threadScratch(backend: WasmBackend, bytes: number): [number, number] {
  const stride = roundUp(bytes, 64);
  return [backend.scratch("threads", stride * backend.runtime.threads), stride];
}

/**
 * y = conv(x, w) (+ bias) for geometry g (output [n, o, oh, ow]), class by class when tap classes
 * skip enough zero products. `pack(c)` returns the packed weights [o, c * taps] of class c.
 */
function forwardConv(
  backend: WasmBackend,
  x: number,
  g: ConvGeometry,
  pack: (c: TapClass) => number,
  bias: number,
  y: number,
): void {
  const [scratch, stride_] = threadScratch(backend, (5 * NC + MR * NR + KC * NC + roundUp(g.o, MR) * NC) * 4);
  const xp = padInput(backend, x, g);
  for (const c of tapClasses(g) ?? [wholeClass(g)]) {
    const args = [xp, pack(c), bias, y, ...classGeomArgs(g, c), scratch, stride_, KC, NC];
    backend.runtime.run("k_convFwd", [...args, ...classArgs(c, g.kh, g.kw, false)]);
  }
}

export const conv2D: KernelConfig<"Conv2D", WasmBackend> = {
  kernelName: "Conv2D",
  backendName: "wasm",
  kernelFunc: (backend, { x, w, b }, { stride, pad }) => {
    const full = convGeometry(x.shape, w.shape, stride, pad);
    const cut = cropDeadTaps(full);
    const g = cut ? cut.g : full;
    const wp = cut ? cropFilter(backend, backend.ptr(w.dataId), full, cut) : backend.ptr(w.dataId);
    const y = backend.make(g.n * g.o * g.oh * g.ow);
    const pack = (c: TapClass) => packClass(backend, wp, g, c);
    forwardConv(backend, backend.ptr(x.dataId), g, pack, b ? backend.ptr(b.dataId) : 0, y.ptr);
    return { dataId: y, shape: [g.n, g.o, g.oh, g.ow] };
  },
};

/**
 * The input gradient. With stride 1 it is the forward conv of dy with the filters flipped and
 * transposed (W'[c, o, kh, kw] = W[o, c, KH-1-kh, KW-1-kw]) and padding K-1-pad, which reuses the
 * forward path; otherwise dcols = W^T dy is formed block by block and scattered back (col2im).
 */
export const conv2DBackpropInput: KernelConfig<"Conv2DBackpropInput", WasmBackend> = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: (backend, { dy, w }, { xShape, stride, pad }) => {
    const full = convGeometry(xShape, w.shape, stride, pad);
    const cut = cropDeadTaps(full);
    const g = cut ? cut.g : full;
    const wp = cut ? cropFilter(backend, backend.ptr(w.dataId), full, cut) : backend.ptr(w.dataId);
    const ckk = g.c * g.kh * g.kw;
    const dx = backend.make(g.n * g.c * g.h * g.w);
    if (g.sh === 1 && g.sw === 1 && g.ph < g.kh && g.pw < g.kw) {
      const t: ConvGeometry = {
        ...g,
        c: g.o,
        h: g.oh,
        w: g.ow,
        o: g.c,
        oh: g.h,
        ow: g.w,
        ph: g.kh - 1 - g.ph,
        pw: g.kw - 1 - g.pw,
      };
      let flipped = 0;
      const pack = (c: TapClass) => {
        if (c.khc === g.kh && c.kwc === g.kw) {
          const pa = backend.scratch("packA", roundUp(g.c, MR) * g.o * g.kh * g.kw * 4);
          backend.runtime.run("k_packFlipped", [wp, g.o, g.c, g.kh, g.kw, pa], ckk * g.o >= 1 << 15);
          return pa;
        }
        if (!flipped) {
          flipped = backend.scratch("wflip", ckk * g.o * 4);
          backend.runtime.run("k_flipT", [wp, flipped, g.o, g.c, g.kh, g.kw], ckk * g.o >= 1 << 15);
        }
        return packClass(backend, flipped, t, c);
      };
      forwardConv(backend, backend.ptr(dy.dataId), t, pack, 0, dx.ptr);
      return { dataId: dx, shape: [...xShape] };
    }
    // A = W^T: element (ckk, o) at w[o * ckk + ckk].
    const pa = packA(backend, "packA", wp, 1, ckk, ckk, g.o);
    const nc = Math.max(NR, Math.min(NC, Math.floor(DCOLS_FLOATS / roundUp(ckk, MR) / NR) * NR));
    const [scratch, stride_] = threadScratch(
      backend,
      (5 * nc + MR * NR + KC * nc + roundUp(ckk, MR) * nc) * 4,
    );
    // The module scatters into a zero-padded dx, cropped into the result afterwards.
    const p = padded(g);
    const pads = g.ph > 0 || g.pw > 0;
    const dxp = pads ? backend.scratch("dxpad", g.n * g.c * p.h * p.w * 4) : dx.ptr;
    backend.runtime.run("k_convBwdInput", [
      backend.ptr(dy.dataId),
      pa,
      0,
      dxp,
      ...geomArgs(p),
      scratch,
      stride_,
      KC,
      nc,
      ...classArgs(wholeClass(p), p.kh, p.kw, false),
    ]);
    if (pads) {
      backend.runtime.run(
        "k_crop",
        [dxp, dx.ptr, g.n * g.c, g.h, g.w, g.ph, g.pw],
        g.n * g.c * p.h * p.w >= 1 << 15,
      );
    }
    return { dataId: dx, shape: [...xShape] };
  },
};

export const conv2DBackpropFilter: KernelConfig<"Conv2DBackpropFilter", WasmBackend> = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: (backend, { x, dy }, { wShape, stride, pad }) => {
    const full = convGeometry(x.shape, wShape, stride, pad);
    const cut = cropDeadTaps(full);
    const g = cut ? cut.g : full;
    const len = g.o * g.c * g.kh * g.kw;
    const dw = backend.make(full.o * full.c * full.kh * full.kw);
    // With dead taps, the live taps' gradient goes to scratch and is expanded (zeros elsewhere) into dw.
    const out = cut ? backend.scratch("dwcrop", len * 4) : dw.ptr;
    const threads = backend.runtime.threads;
    const partials = threads > 1 ? backend.scratch("partials", (threads - 1) * len * 4) : 0;
    const bytes = (4 * KC + 4 * NC + MR * NR + roundUp(g.o, MR) * KC + KC * NC) * 4;
    const [scratch, stride_] = threadScratch(backend, bytes);
    const xp = padInput(backend, backend.ptr(x.dataId), g);
    const classes = tapClasses(g);
    // Classes each add their taps' share: dw and the partials start at zero.
    if (classes) backend.runtime.f32.fill(0, out >> 2, (out >> 2) + len);
    if (classes && partials) backend.runtime.f32.fill(0, partials >> 2, (partials >> 2) + (threads - 1) * len);
    for (const c of classes ?? [wholeClass(g)]) {
      const args = [xp, backend.ptr(dy.dataId), partials, out, ...classGeomArgs(g, c), scratch, stride_, KC, NC];
      backend.runtime.run("k_convBwdFilter", [...args, ...classArgs(c, g.kh, g.kw, classes !== null)]);
    }
    if (threads > 1) backend.runtime.run("k_sumPartials", [out, partials, threads - 1, len], len >= 1 << 14);
    if (cut) {
      const planes = full.o * full.c;
      const expand = [out, dw.ptr, planes, full.kh, full.kw, cut.kh0, g.kh, cut.kw0, g.kw, 1];
      backend.runtime.run("k_taps", expand, planes * full.kh * full.kw >= 1 << 15);
    }
    return { dataId: dw, shape: [...wShape] };
  },
};

export const matMul: KernelConfig<"MatMul", WasmBackend> = {
  kernelName: "MatMul",
  backendName: "wasm",
  kernelFunc: (backend, { a, b }, { transposeA, transposeB }) => {
    const { m, k, n } = matmulDims(a.shape, b.shape, transposeA, transposeB);
    const c = backend.make(m * n);
    if (m * n === 0) return { dataId: c, shape: [m, n] };
    const pa = packA(backend, "packA", backend.ptr(a.dataId), transposeA ? 1 : k, transposeA ? m : 1, m, k);
    const [rs, cs] = transposeB ? [1, k] : [n, 1];
    const [scratch, stride_] = threadScratch(backend, (2 * NC + MR * NR + KC * NC) * 4);
    const args = [pa, backend.ptr(b.dataId), rs, cs, c.ptr, m, n, k, scratch, stride_, KC, NC];
    backend.runtime.run("k_gemm", args, m * n * k >= 1 << 18);
    return { dataId: c, shape: [m, n] };
  },
};
