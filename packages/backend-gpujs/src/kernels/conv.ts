/**
 * Convolutions, one thread per output element with constant-bounded loops (a direct / implicit-GEMM
 * formulation: no im2col buffer). The input gradient visits only the kernel taps whose stride
 * phase matches (ceil(K / S) per axis, not K); the filter gradient splits the batch into groups so
 * no thread loops over more than ~8k positions, then sums the groups in a second pass. The array
 * modes (webasm, cpu) take the blocked matrix products of conv-gemm.ts instead.
 */
import { type ConvGeometry, convGeometry } from "@resnet-ts/tensor";
import { convFilterGrad, convForward, convInputGrad } from "./conv-gemm.js";
import { productFits } from "./gemm.js";
import { covering, idiv, type Impl, kernel, THREAD } from "./source.js";

/** `cond ? body` as source, omitting the test when it always holds. */
const when = (cond: string | null, body: string) => (cond ? `if (${cond}) {\n${body}\n}` : body);

/**
 * Per-image flat views keep the channel loop innermost with running indices (one add per operand
 * instead of a 3-D index each): twice as fast on webasm. The indices stay exact in float32 while an
 * image's values and a filter bank stay below 2^24 elements.
 */
function checkFlat(g: ConvGeometry, op: string): void {
  const image = Math.max(g.c * g.h * g.w, g.o * g.oh * g.ow);
  const filters = g.o * g.c * g.kh * g.kw;
  if (image >= FLOAT_EXACT || filters >= FLOAT_EXACT) {
    throw new Error(
      `${op}: gpujs supports at most 2^24 values per image and per filter bank (float32 indices), got ${image} and ${filters}`,
    );
  }
}

const FLOAT_EXACT = 2 ** 24;

export const conv2D: Impl<"Conv2D"> = (backend, { x, w, b }, { stride, pad }) => {
  const g = convGeometry(x.shape, w.shape, stride, pad);
  checkFlat(g, "Conv2D");
  if (productFits(backend, g.o, g.n * g.oh * g.ow, g.c * g.kh * g.kw))
    return convForward(backend, x, w, b, g);
  const kk = g.kh * g.kw;
  const channels = `let xi = iy * ${g.w} + ix;
let wi = o * ${g.c * kk} + ki * ${g.kw} + kj;
for (let ci = 0; ci < ${g.c}; ci++) {
  acc += x[0][n][xi] * w[0][0][wi];
  xi += ${g.h * g.w};
  wi += ${kk};
}`;
  const body = `${THREAD}
const n = ${idiv("tz", g.o)};
const o = tz - n * ${g.o};
let acc = ${b ? "b[0][0][o]" : "0"};
for (let ki = 0; ki < ${g.kh}; ki++) {
  const iy = ty * ${g.sh} - ${g.ph} + ki;
  ${when(
    g.ph > 0 ? `iy >= 0 && iy < ${g.h}` : null,
    `for (let kj = 0; kj < ${g.kw}; kj++) {
    const ix = tx * ${g.sw} - ${g.pw} + kj;
    ${when(g.pw > 0 ? `ix >= 0 && ix < ${g.w}` : null, channels)}
  }`,
  )}
}
return acc;`;
  const args = [
    backend.arg(x, [g.c * g.h * g.w, g.n, 1]),
    backend.arg(w, [g.o * g.c * kk, 1, 1]),
    ...(b ? [backend.arg(b, [g.o, 1, 1])] : []),
  ];
  const params = b ? ["x", "w", "b"] : ["x", "w"];
  return backend.output(kernel(params, body), [g.ow, g.oh, g.n * g.o], args, [g.n, g.o, g.oh, g.ow]);
};

export const conv2DBackpropInput: Impl<"Conv2DBackpropInput"> = (
  backend,
  { dy, w },
  { xShape, stride, pad },
) => {
  const g = convGeometry(xShape, w.shape, stride, pad);
  checkFlat(g, "Conv2DBackpropInput");
  if (productFits(backend, g.c * g.kh * g.kw, g.n * g.oh * g.ow, g.o))
    return convInputGrad(backend, dy, w, g);
  const kk = g.kh * g.kw;
  const loop = `let di = oy * ${g.ow} + ox;
let wi = ci * ${kk} + ky * ${g.kw} + kx;
for (let o = 0; o < ${g.o}; o++) {
  acc += dy[0][n][di] * w[0][0][wi];
  di += ${g.oh * g.ow};
  wi += ${g.c * kk};
}`;
  const body = `${THREAD}
const n = ${idiv("tz", g.c)};
const ci = tz - n * ${g.c};
let acc = 0;
${covering("y", "ty", g.kh, g.sh, g.ph, g.oh, covering("x", "tx", g.kw, g.sw, g.pw, g.ow, loop))}
return acc;`;
  const args = [backend.arg(dy, [g.o * g.oh * g.ow, g.n, 1]), backend.arg(w, [g.o * g.c * kk, 1, 1])];
  return backend.output(kernel(["dy", "w"], body), [g.w, g.h, g.n * g.c], args, xShape);
};

/** Most positions one thread of the filter gradient sums before the batch is split into groups. */
const FILTER_GRAD_SPAN = 8192;

export const conv2DBackpropFilter: Impl<"Conv2DBackpropFilter"> = (
  backend,
  { x, dy },
  { wShape, stride, pad },
) => {
  const g = convGeometry(x.shape, wShape, stride, pad);
  if (productFits(backend, g.o, g.c * g.kh * g.kw, g.n * g.oh * g.ow))
    return convFilterGrad(backend, x, dy, g);
  const perGroup = Math.min(g.n, Math.max(1, Math.floor(FILTER_GRAD_SPAN / (g.oh * g.ow))));
  const groups = Math.ceil(g.n / perGroup);
  const oc = g.o * g.c;
  const inner = when(
    g.pw > 0 ? `ix >= 0 && ix < ${g.w}` : null,
    `acc += dy[n * ${g.o} + o][oy][ox] * x[n * ${g.c} + ci][iy][ix];`,
  );
  const body = `${THREAD}
const grp = ${idiv("tz", oc)};
const r = tz - grp * ${oc};
const o = ${idiv("r", g.c)};
const ci = r - o * ${g.c};
let acc = 0;
for (let m = 0; m < ${perGroup}; m++) {
  const n = grp * ${perGroup} + m;
  ${when(
    groups * perGroup > g.n ? `n < ${g.n}` : null,
    `for (let oy = 0; oy < ${g.oh}; oy++) {
    const iy = oy * ${g.sh} - ${g.ph} + ty;
    ${when(
      g.ph > 0 ? `iy >= 0 && iy < ${g.h}` : null,
      `for (let ox = 0; ox < ${g.ow}; ox++) {
      const ix = ox * ${g.sw} - ${g.pw} + tx;
      ${inner}
    }`,
    )}
  }`,
  )}
}
return acc;`;
  const args = [backend.natural(x), backend.natural(dy)];
  if (groups === 1) return backend.output(kernel(["x", "dy"], body), [g.kw, g.kh, oc], args, wShape);
  const partial = backend.temp(kernel(["x", "dy"], body), [g.kw, g.kh, oc * groups], args);
  const total = `${THREAD}
let acc = 0;
for (let k = 0; k < ${groups}; k++) {
  acc += p[k * ${oc} + tz][ty][tx];
}
return acc;`;
  return backend.output(
    kernel(["p"], total),
    [g.kw, g.kh, oc],
    [backend.view(partial, [g.kw, g.kh, oc * groups])],
    wShape,
  );
};
