/**
 * Convolutions as blocked matrix products (gemm.ts) for the array modes: im2col, the product, then
 * a gather back into NCHW. Only live taps take part: a tap that falls in the padding for every
 * output position (8 of 9 in a padded 3x3 convolution of a 1x1 map, ResNet-18's last stage at
 * 28x28) is left out of im2col and of the sums, and its filter gradient is 0.
 */
import type { ConvGeometry, TensorInfo } from "@resnet-ts/tensor";
import type { GpujsBackend } from "../backend.js";
import type { Arg } from "../executors/types.js";
import { product, productValue } from "./gemm.js";
import { covering, idiv, kernel, THREAD } from "./source.js";

/** The taps along one axis that land inside the input for some output position: first and count. */
function liveTaps(k: number, s: number, p: number, size: number, out: number): [number, number] {
  const live = (t: number) => {
    for (let o = 0; o < out; o++) if (o * s - p + t >= 0 && o * s - p + t < size) return true;
    return false;
  };
  let first = 0;
  while (first < k && !live(first)) first++;
  let last = k - 1;
  while (last > first && !live(last)) last--;
  return first < k ? [first, last - first + 1] : [0, k];
}

/** The live window of taps: rows ky0.. (kh of them), columns kx0.. (kw), kk = kh * kw per channel. */
interface Taps {
  ky0: number;
  kh: number;
  kx0: number;
  kw: number;
  kk: number;
  all: boolean;
}

function taps(g: ConvGeometry): Taps {
  const [ky0, kh] = liveTaps(g.kh, g.sh, g.ph, g.h, g.oh);
  const [kx0, kw] = liveTaps(g.kw, g.sw, g.pw, g.w, g.ow);
  return { ky0, kh, kx0, kw, kk: kh * kw, all: kh === g.kh && kw === g.kw };
}

/** Source setting `ci`, `ky`, `kx` from a live-tap column `col`. */
const decodeTap = (col: string, t: Taps) => `const ci = ${idiv(col, t.kk)};
const tr = ${col} - ci * ${t.kk};
const ky = ${t.ky0} + ${idiv("tr", t.kw)};
const kx = ${t.kx0} + tr - ${idiv("tr", t.kw)} * ${t.kw};`;

/** The live-tap column of (ci, ky, kx), as source. */
const tapColumn = (t: Taps) => `ci * ${t.kk} + (ky - ${t.ky0}) * ${t.kw} + kx - ${t.kx0}`;

/** Index in a filter bank's [C, KH, KW] block of live-tap row `r`, as source. */
function tapRow(r: string, g: ConvGeometry, t: Taps): string {
  const ci = idiv(r, t.kk);
  const tr = `(${r} - ${ci} * ${t.kk})`;
  const ky = idiv(tr, t.kw);
  return `${ci} * ${g.kh * g.kw} + (${t.ky0} + ${ky}) * ${g.kw} + ${t.kx0} + ${tr} - ${ky} * ${t.kw}`;
}

/** im2col: [P = N*OH*OW rows, C * live taps columns], zero where a tap falls in the padding. */
function im2col(backend: GpujsBackend, x: Arg, g: ConvGeometry, t: Taps): Arg {
  const s = g.oh * g.ow;
  const inside = [
    ...(g.ph > 0 ? [`iy >= 0 && iy < ${g.h}`] : []),
    ...(g.pw > 0 ? [`ix >= 0 && ix < ${g.w}`] : []),
  ];
  const read = `x[n * ${g.c} + ci][iy][ix]`;
  const body = `${THREAD}
${decodeTap("tx", t)}
const n = ${idiv("ty", s)};
const q = ty - n * ${s};
const oy = ${idiv("q", g.ow)};
const iy = oy * ${g.sh} - ${g.ph} + ky;
const ix = (q - oy * ${g.ow}) * ${g.sw} - ${g.pw} + kx;
${inside.length ? `if (${inside.join(" && ")}) {\nreturn ${read};\n}\nreturn 0;` : `return ${read};`}`;
  return backend.temp(kernel(["x"], body), [g.c * t.kk, g.n * s, 1], [x]);
}

/** y = conv(x, w) + b. */
export function convForward(
  backend: GpujsBackend,
  x: TensorInfo,
  w: TensorInfo,
  b: TensorInfo | undefined,
  g: ConvGeometry,
): TensorInfo {
  const ck = g.c * g.kh * g.kw;
  const s = g.oh * g.ow;
  const t = taps(g);
  const blk = product(backend, {
    rows: g.o,
    cols: g.n * s,
    a: backend.natural(w),
    aBase: (r) => `${r} * ${ck} + ${t.ky0 * g.kw + t.kx0}`,
    aRow: ck,
    b: im2col(backend, backend.natural(x), g, t),
    bBase: `j * ${g.c * t.kk}`,
    loops: [
      [g.c, g.kh * g.kw, t.kk],
      [t.kh, g.kw, t.kw],
      [t.kw, 1, 1],
    ],
  });
  const body = `${THREAD}
const n = ${idiv("tz", g.o)};
const o = tz - n * ${g.o};
${productValue(backend, "v", "o", `n * ${s} + ty * ${g.ow} + tx`)}
return v${b ? " + bias[0][0][o]" : ""};`;
  const args = [blk, ...(b ? [backend.arg(b, [g.o, 1, 1])] : [])];
  return backend.output(kernel(b ? ["blk", "bias"] : ["blk"], body), [g.ow, g.oh, g.n * g.o], args, [
    g.n,
    g.o,
    g.oh,
    g.ow,
  ]);
}

/** dW = dy x im2col(x), summed over the batch and positions. */
export function convFilterGrad(
  backend: GpujsBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const s = g.oh * g.ow;
  const t = taps(g);
  const ckLive = g.c * t.kk;
  const blk = product(backend, {
    rows: g.o,
    cols: ckLive,
    a: backend.natural(dy),
    aBase: (r) => `${r} * ${s}`,
    aRow: s,
    b: im2col(backend, backend.natural(x), g, t),
    bBase: "j",
    loops: [
      [g.n, g.o * s, s * ckLive],
      [s, 1, ckLive],
    ],
  });
  const kk = g.kh * g.kw;
  const body = t.all
    ? `${THREAD}\n${productValue(backend, "v", "ty", "tx")}\nreturn v;`
    : `${THREAD}
const ci = ${idiv("tx", kk)};
const tr = tx - ci * ${kk};
const ky = ${idiv("tr", g.kw)};
const kx = tr - ky * ${g.kw};
if (ky >= ${t.ky0} && ky < ${t.ky0 + t.kh} && kx >= ${t.kx0} && kx < ${t.kx0 + t.kw}) {
  ${productValue(backend, "v", "ty", tapColumn(t))}
  return v;
}
return 0;`;
  return backend.output(kernel(["blk"], body), [g.c * kk, g.o, 1], [blk], [g.o, g.c, g.kh, g.kw]);
}

/** dx = col2im(w^T dy): the product per (live tap, position), then each input element sums its taps. */
export function convInputGrad(
  backend: GpujsBackend,
  dy: TensorInfo,
  w: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const ck = g.c * g.kh * g.kw;
  const s = g.oh * g.ow;
  const t = taps(g);
  const n = idiv("j", s);
  const blk = product(backend, {
    rows: g.c * t.kk,
    cols: g.n * s,
    a: backend.natural(w),
    aBase: t.all ? (r) => r : (r) => tapRow(r, g, t),
    ...(t.all ? { aRow: 1 } : t.kk === 1 ? { aRow: g.kh * g.kw } : {}),
    b: backend.natural(dy),
    bBase: `${n} * ${g.o * s} + j - ${n} * ${s}`,
    loops: [[g.o, ck, s]],
  });
  const tap = `${productValue(backend, "v", tapColumn(t), `n * ${s} + oy * ${g.ow} + ox`)}\nacc += v;`;
  const body = `${THREAD}
const n = ${idiv("tz", g.c)};
const ci = tz - n * ${g.c};
let acc = 0;
${covering("y", "ty", g.kh, g.sh, g.ph, g.oh, covering("x", "tx", g.kw, g.sw, g.pw, g.ow, tap))}
return acc;`;
  return backend.output(kernel(["blk"], body), [g.w, g.h, g.n * g.c], [blk], [g.n, g.c, g.h, g.w]);
}
