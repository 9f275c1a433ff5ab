/**
 * Convolution kernels: the JS side splits a conv into tap classes (./taps.ts), sizes the blocks and
 * scratch space, packs the weights and hands each GEMM to the module (assembly/conv.ts), where every
 * thread takes its share of output columns (forward), of images (input gradient), or of images or
 * filter columns (filter gradient).
 */
import { type ConvGeometry, convGeometry, type KernelConfig } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import type { GroupArgs } from "../generated/abi.js";
import { KC, MR, NC, NR, packA, roundUp, threadScratch } from "./gemm.js";
import { cropDeadTaps, type TapClass, tapClasses, wholeClass } from "./taps.js";
import { winogradFilterGrad, winogradForward, winogradTile } from "./winograd.js";

/** Largest dcols block of the input gradient, in floats (ckk x nc), before col2im empties it. */
const DCOLS_FLOATS = 1 << 18;

const geomArgs = ({
  n,
  c,
  h,
  w,
  o,
  kh,
  kw,
  oh,
  ow,
  sh,
  sw,
  ph,
  pw,
}: ConvGeometry): GroupArgs<"convGeometry"> => ({
  n,
  c,
  h,
  w,
  o,
  kh,
  kw,
  oh,
  ow,
  sh,
  sw,
  ph,
  pw,
});

/** The class words (assembly/conv.ts): outputs, first taps, dw's filter size, accumulate. */
const classArgs = (c: TapClass, g: ConvGeometry, acc: boolean): GroupArgs<"tapClass"> => ({
  oy0: c.oy0,
  ohc: c.ohc,
  ox0: c.ox0,
  owc: c.owc,
  ky0: c.ky0,
  kx0: c.kx0,
  fkh: g.kh,
  fkw: g.kw,
  acc: acc ? 1 : 0,
});

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
  const args = { src: x, dst, planes: g.n * g.c, h: g.h, w: g.w, ph: g.ph, pw: g.pw };
  backend.runtime.run("k_pad", args, g.n * g.c * p.h * p.w >= 1 << 15);
  return dst;
}

interface Run {
  /** The input the module reads. */
  x: number;
  /** One entry per GEMM: its class and the geometry words to pass. */
  parts: { c: TapClass; words: GroupArgs<"convGeometry"> }[];
  /** Whether it runs by tap classes (the filter gradient then adds each into a zeroed dw). */
  classes: boolean;
}

/**
 * How to run conv g over input x: by tap classes on x itself (no class reads outside it), or as one
 * class over a zero-padded copy where classes would skip little (see tapClasses).
 */
function plan(backend: WasmBackend, x: number, g: ConvGeometry): Run {
  const classes = tapClasses(g);
  if (!classes)
    return {
      x: padInput(backend, x, g),
      parts: [{ c: wholeClass(g), words: geomArgs(padded(g)) }],
      classes: false,
    };
  return {
    x,
    parts: classes.map((c) => ({ c, words: geomArgs({ ...g, kh: c.khc, kw: c.kwc }) })),
    classes: true,
  };
}

/** How conv weights are laid out for packing: w [rows, chans, kh, kw], or [chans, rows, kh, kw] with taps reversed. */
interface Weights {
  w: number;
  rows: number;
  chans: number;
  flip: boolean;
}

/** Packed weights A [rows, chans * taps] of class c's taps (k_packTaps), in scratch `slot`. */
function packTaps(backend: WasmBackend, slot: string, wt: Weights, g: ConvGeometry, c: TapClass): number {
  const k = wt.chans * c.khc * c.kwc;
  const dst = backend.scratch(slot, roundUp(wt.rows, MR) * k * 4);
  const { ky0, khc, kx0, kwc } = c;
  const args = { w: wt.w, rows: wt.rows, chans: wt.chans, kh: g.kh, kw: g.kw, ky0, khc, kx0, kwc, dst };
  backend.runtime.run("k_packTaps", { ...args, flip: wt.flip ? 1 : 0 }, wt.rows * k >= 1 << 15);
  return dst;
}

/** Class c's packed weights selected from `full`, the packed weights of all taps (k_selectTaps). */
function selectTaps(backend: WasmBackend, full: number, wt: Weights, g: ConvGeometry, c: TapClass): number {
  const k = wt.chans * c.khc * c.kwc;
  const dst = backend.scratch("packA", roundUp(wt.rows, MR) * k * 4);
  const { ky0, khc, kx0, kwc } = c;
  const args = { src: full, rows: wt.rows, chans: wt.chans, kh: g.kh, kw: g.kw, ky0, khc, kx0, kwc, dst };
  backend.runtime.run("k_selectTaps", args, wt.rows * k >= 1 << 15);
  return dst;
}

/**
 * y = conv(x, W) (+ bias) for geometry g (output [n, o, oh, ow]). Packing gathers each weight with a
 * scalar load, selecting from packed weights copies a vector per 4: when the classes together use
 * many more taps than the filter has, all taps are packed once and each class selects its own.
 */
function forwardConv(
  backend: WasmBackend,
  x: number,
  g: ConvGeometry,
  wt: Weights,
  bias: number,
  y: number,
): void {
  const tile = winogradTile(backend, g);
  if (tile !== 0) {
    winogradForward(backend, tile, x, g, wt.w, wt.flip, bias, y);
    return;
  }
  const blocks = threadScratch(backend, (5 * NC + MR * NR + KC * NC + roundUp(g.o, MR) * NC) * 4, NC);
  const run = plan(backend, x, g);
  const taps = run.parts.reduce((sum, { c }) => sum + c.khc * c.kwc, 0);
  const full =
    run.classes && taps > 2 * g.kh * g.kw ? packTaps(backend, "packFull", wt, g, wholeClass(g)) : null;
  for (const { c, words } of run.parts) {
    const pa = full !== null ? selectTaps(backend, full, wt, g, c) : packTaps(backend, "packA", wt, g, c);
    const args = { x: run.x, packedW: pa, bias, y, ...words, ...blocks, ...classArgs(c, g, false) };
    backend.runtime.run("k_convFwd", args);
  }
}

export const conv2D: KernelConfig<"Conv2D", WasmBackend> = {
  kernelName: "Conv2D",
  backendName: "wasm",
  kernelFunc: (backend, { x, w, b }, { stride, pad }) => {
    const g = convGeometry(x.shape, w.shape, stride, pad);
    const y = backend.make(g.n * g.o * g.oh * g.ow);
    const wt = { w: backend.ptr(w.dataId), rows: g.o, chans: g.c, flip: false };
    forwardConv(backend, backend.ptr(x.dataId), g, wt, b ? backend.ptr(b.dataId) : 0, y.ptr);
    return { dataId: y, shape: [g.n, g.o, g.oh, g.ow] };
  },
};

/**
 * The input gradient. With stride 1 it is the forward conv of dy with the filters flipped and
 * transposed (W'[c, o, kh, kw] = W[o, c, KH-1-kh, KW-1-kw]) and padding K-1-pad, which reuses the
 * forward path; otherwise dcols = W^T dy is formed block by block and scattered back (col2im), over
 * the filter cropped to its live taps.
 */
export const conv2DBackpropInput: KernelConfig<"Conv2DBackpropInput", WasmBackend> = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: (backend, { dy, w }, { xShape, stride, pad }) => {
    const full = convGeometry(xShape, w.shape, stride, pad);
    const dx = backend.make(full.n * full.c * full.h * full.w);
    if (full.sh === 1 && full.sw === 1 && full.ph < full.kh && full.pw < full.kw) {
      const g = full;
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
      const wt = { w: backend.ptr(w.dataId), rows: g.c, chans: g.o, flip: true };
      forwardConv(backend, backend.ptr(dy.dataId), t, wt, 0, dx.ptr);
      return { dataId: dx, shape: [...xShape] };
    }
    const cut = cropDeadTaps(full);
    const g = cut ? cut.g : full;
    let wp = backend.ptr(w.dataId);
    if (cut) {
      const planes = g.o * g.c;
      const dst = backend.scratch("wcrop", planes * g.kh * g.kw * 4);
      const args = {
        src: wp,
        dst,
        planes,
        kh: full.kh,
        kw: full.kw,
        kh0: cut.kh0,
        khc: g.kh,
        kw0: cut.kw0,
        kwc: g.kw,
      };
      backend.runtime.run("k_taps", args, planes * full.kh * full.kw >= 1 << 15);
      wp = dst;
    }
    // A = W^T: element (ckk, o) at w[o * ckk + ckk].
    const ckk = g.c * g.kh * g.kw;
    const pa = packA(backend, "packA", wp, 1, ckk, ckk, g.o);
    const nc = Math.max(NR, Math.min(NC, Math.floor(DCOLS_FLOATS / roundUp(ckk, MR) / NR) * NR));
    const blocks = threadScratch(backend, (5 * nc + MR * NR + KC * nc + roundUp(ckk, MR) * nc) * 4, nc);
    // The module scatters into a zero-padded dx, cropped into the result afterwards.
    const p = padded(g);
    const pads = g.ph > 0 || g.pw > 0;
    const dxp = pads ? backend.scratch("dxpad", g.n * g.c * p.h * p.w * 4) : dx.ptr;
    const args = { dy: backend.ptr(dy.dataId), packedWT: pa, dx: dxp, ...geomArgs(p), ...blocks };
    backend.runtime.run("k_convBwdInput", { ...args, ...classArgs(wholeClass(p), p, false) });
    if (pads) {
      const crop = { src: dxp, dst: dx.ptr, planes: g.n * g.c, h: g.h, w: g.w, ph: g.ph, pw: g.pw };
      backend.runtime.run("k_crop", crop, g.n * g.c * p.h * p.w >= 1 << 15);
    }
    return { dataId: dx, shape: [...xShape] };
  },
};

/**
 * The filter gradient. Threads split the images, each summing into its own copy of dw (added up at
 * the end), unless dw is larger than dy's positions: then they split dw's columns (no copies to add).
 * By classes, each class adds its taps' share into zeroed dw and copies.
 */
export const conv2DBackpropFilter: KernelConfig<"Conv2DBackpropFilter", WasmBackend> = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: (backend, { x, dy }, { wShape, stride, pad }) => {
    const g = convGeometry(x.shape, wShape, stride, pad);
    const len = g.o * g.c * g.kh * g.kw;
    const dw = backend.make(len);
    const tile = winogradTile(backend, g);
    if (tile !== 0) {
      winogradFilterGrad(backend, tile, backend.ptr(x.dataId), backend.ptr(dy.dataId), g, dw.ptr);
      return { dataId: dw, shape: [...wShape] };
    }
    const threads = backend.runtime.threads;
    const byImages = threads > 1 && g.c * g.kh * g.kw <= g.n * g.oh * g.ow;
    const partials = byImages ? backend.scratch("partials", (threads - 1) * len * 4) : 0;
    const bytes = (4 * KC + 4 * NC + MR * NR + roundUp(g.o, MR) * KC + KC * NC) * 4;
    const blocks = threadScratch(backend, bytes, NC);
    const run = plan(backend, backend.ptr(x.dataId), g);
    const zero = (p: number, len: number) => backend.runtime.run("k_zero", { p, len }, len >= 1 << 16);
    if (run.classes) zero(dw.ptr, len);
    if (run.classes && partials) zero(partials, (threads - 1) * len);
    for (const { c, words } of run.parts) {
      const args = { x: run.x, dy: backend.ptr(dy.dataId), partials, dw: dw.ptr, ...words, ...blocks };
      backend.runtime.run("k_convBwdFilter", { ...args, ...classArgs(c, g, run.classes) });
    }
    if (partials) {
      const args = { out: dw.ptr, parts: partials, count: threads - 1, len };
      backend.runtime.run("k_sumPartials", args, len >= 1 << 14);
    }
    return { dataId: dw, shape: [...wShape] };
  },
};
