/**
 * Convolution kernels as im2col + matrix product, one image at a time: the image's receptive fields
 * are laid out as columns [C*KH*KW, OH*OW], so that
 *   forward:          y[n]    = W (O x CKK) * cols
 *   input gradient:   dcols   = W^T * dy[n], then scattered back to the image (col2im)
 *   filter gradient:  dW     += dy[n] * cols^T
 */
import type { KernelConfig } from "../backend.js";
import { type ConvGeometry, convGeometry } from "../kernels.js";
import type { CpuBackend } from "./backend.js";
import { gemm } from "./gemm.js";

/** Writes image `img`'s receptive fields into cols [C*KH*KW, OH*OW] (zeros where padding). */
function im2col(x: Float32Array, img: number, g: ConvGeometry, cols: Float32Array): void {
  const { c, h, w, kh, kw, oh, ow, sh, sw, ph, pw } = g;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    const plane = (img * c + ci) * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const base = row * oh * ow;
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + ki;
          const out = base + y * ow;
          if (iy < 0 || iy >= h) {
            cols.fill(0, out, out + ow);
            continue;
          }
          for (let xo = 0; xo < ow; xo++) {
            const ix = xo * sw - pw + kj;
            cols[out + xo] = ix >= 0 && ix < w ? x[plane + iy * w + ix]! : 0;
          }
        }
      }
    }
  }
}

/** Adds cols [C*KH*KW, OH*OW] back into image `img` of dx (the adjoint of im2col). */
function col2im(cols: Float32Array, img: number, g: ConvGeometry, dx: Float32Array): void {
  const { c, h, w, kh, kw, oh, ow, sh, sw, ph, pw } = g;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    const plane = (img * c + ci) * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const base = row * oh * ow;
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + ki;
          if (iy < 0 || iy >= h) continue;
          for (let xo = 0; xo < ow; xo++) {
            const ix = xo * sw - pw + kj;
            if (ix >= 0 && ix < w) dx[plane + iy * w + ix]! += cols[base + y * ow + xo]!;
          }
        }
      }
    }
  }
}

export const conv2D: KernelConfig<"Conv2D", CpuBackend> = {
  kernelName: "Conv2D",
  backendName: "cpu",
  kernelFunc: (backend, { x, w, b }, { stride, pad }) => {
    const g = convGeometry(x.shape, w.shape, stride, pad);
    const xv = backend.values(x.dataId);
    const wv = backend.values(w.dataId);
    const bv = b ? backend.values(b.dataId) : null;
    const spatial = g.oh * g.ow;
    const ckk = g.c * g.kh * g.kw;
    const y = new Float32Array(g.n * g.o * spatial);
    const cols = new Float32Array(ckk * spatial);
    for (let img = 0; img < g.n; img++) {
      im2col(xv, img, g, cols);
      const yo = img * g.o * spatial;
      gemm({ m: g.o, n: spatial, k: ckk, a: wv, b: cols, c: y, cOffset: yo });
      if (bv)
        for (let o = 0; o < g.o; o++) for (let s = 0; s < spatial; s++) y[yo + o * spatial + s]! += bv[o]!;
    }
    return { dataId: backend.make(y), shape: [g.n, g.o, g.oh, g.ow] };
  },
};

export const conv2DBackpropInput: KernelConfig<"Conv2DBackpropInput", CpuBackend> = {
  kernelName: "Conv2DBackpropInput",
  backendName: "cpu",
  kernelFunc: (backend, { dy, w }, { xShape, stride, pad }) => {
    const g = convGeometry(xShape, w.shape, stride, pad);
    const dyv = backend.values(dy.dataId);
    const wv = backend.values(w.dataId);
    const spatial = g.oh * g.ow;
    const ckk = g.c * g.kh * g.kw;
    const dx = new Float32Array(g.n * g.c * g.h * g.w);
    const dcols = new Float32Array(ckk * spatial);
    for (let img = 0; img < g.n; img++) {
      gemm({
        m: ckk,
        n: spatial,
        k: g.o,
        a: wv,
        transposeA: true,
        b: dyv,
        bOffset: img * g.o * spatial,
        c: dcols,
      });
      col2im(dcols, img, g, dx);
    }
    return { dataId: backend.make(dx), shape: [...xShape] };
  },
};

export const conv2DBackpropFilter: KernelConfig<"Conv2DBackpropFilter", CpuBackend> = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "cpu",
  kernelFunc: (backend, { x, dy }, { wShape, stride, pad }) => {
    const g = convGeometry(x.shape, wShape, stride, pad);
    const xv = backend.values(x.dataId);
    const dyv = backend.values(dy.dataId);
    const spatial = g.oh * g.ow;
    const ckk = g.c * g.kh * g.kw;
    const dw = new Float32Array(g.o * ckk);
    const cols = new Float32Array(ckk * spatial);
    for (let img = 0; img < g.n; img++) {
      im2col(xv, img, g, cols);
      gemm({
        m: g.o,
        n: ckk,
        k: spatial,
        a: dyv,
        aOffset: img * g.o * spatial,
        b: cols,
        transposeB: true,
        c: dw,
        accumulate: true,
      });
    }
    return { dataId: backend.make(dw), shape: [...wShape] };
  },
};
