/**
 * Convolutions as matrix products for the array modes (webasm, cpu), where gpu.js runs 4 threads
 * of an x-row as one SIMD quad: a lane-varying read is a 4-load gather, a read that is the same for
 * the quad is one load. So each thread computes a 4-row block of one column and returns it as
 * `[s0, s1, s2, s3]`: one gathered value of B feeds 4 multiply-adds with 4 uniform values of A
 * (2.5-3x the throughput of one output per thread). Convolutions become im2col + product + a
 * gather back into NCHW (`unblock`), each a separate kernel with every size a literal.
 */
import type { ConvGeometry, TensorInfo } from "@resnet-ts/tensor";
import type { GpujsBackend } from "../backend.js";
import type { Arg } from "../executors/types.js";
import { covering, idiv, kernel, THREAD } from "./source.js";

/** One loop of a product: `count` steps, moving A's index by `a` and B's by `b` each step. */
type Loop = readonly [count: number, a: number, b: number];

export interface Product {
  /** M: rows of the result, in blocks of 4 (thread.y); rows of A. */
  rows: number;
  /** N: columns of the result (thread.x, the SIMD lanes). */
  cols: number;
  /** A, read at the same index by a whole quad: row `r` starts at `aBase` with `r0` = r, rows `aRow` apart. */
  a: Arg;
  aBase: string;
  aRow: number;
  /** B, read per column: column `j` starts at `bBase` (an expression of `j`). */
  b: Arg;
  bBase: string;
  /** The sum, outer loop first (merged where one loop continues another). */
  loops: readonly Loop[];
}

function merge(loops: readonly Loop[]): Loop[] {
  const out: Loop[] = [];
  for (const l of loops) {
    if (l[0] === 1) continue;
    const prev = out[out.length - 1];
    if (prev && prev[1] === l[0] * l[1] && prev[2] === l[0] * l[2])
      out[out.length - 1] = [prev[0] * l[0], l[1], l[2]];
    else out.push(l);
  }
  return out.length ? out : [[1, 0, 0]];
}

/**
 * The product as a temporary of dims [4 * cols, ceil(rows / 4), 1]: row r, column j at
 * [0][r / 4][4 j + r % 4]. Rows past M (the last block) repeat row r0 and are never read.
 */
export function product(backend: GpujsBackend, p: Product): Arg {
  const loops = merge(p.loops);
  const offsets = [1, 2, 3].map((c) => (p.rows % 4 === 0 ? `${c * p.aRow}` : `d${c}`));
  const guards =
    p.rows % 4 === 0
      ? ""
      : [1, 2, 3].map((c) => `const d${c} = r0 + ${c} < ${p.rows} ? ${c * p.aRow} : 0;`).join("\n");
  const step = `const v = b[0][0][bi];
s0 += a[0][0][ai] * v;
s1 += a[0][0][ai + ${offsets[0]}] * v;
s2 += a[0][0][ai + ${offsets[1]}] * v;
s3 += a[0][0][ai + ${offsets[2]}] * v;`;
  let body = step;
  for (let i = loops.length - 1; i >= 0; i--) {
    const [count, da, db] = loops[i]!;
    const inner = loops[i + 1];
    const ea = da - (inner ? inner[0] * inner[1] : 0);
    const eb = db - (inner ? inner[0] * inner[2] : 0);
    body = `for (let k${i} = 0; k${i} < ${count}; k${i}++) {
${body}
${ea ? `ai += ${ea};` : ""}
${eb ? `bi += ${eb};` : ""}
}`;
  }
  const source = kernel(
    ["a", "b"],
    `const j = this.thread.x;
const r0 = this.thread.y * 4;
${guards}
let ai = ${p.aBase};
let bi = ${p.bBase};
let s0 = 0;
let s1 = 0;
let s2 = 0;
let s3 = 0;
${body}
return [s0, s1, s2, s3];`,
  );
  const flat = (a: Arg) => backend.view(a, [a.dims[0] * a.dims[1] * a.dims[2], 1, 1]);
  return backend.quadTemp(source, [p.cols, Math.ceil(p.rows / 4), 1], [flat(p.a), flat(p.b)]);
}

/** Value (row, col) of a product, as source; `blk` is the product's temporary. */
const at = (row: string, col: string) => {
  const q = idiv(row, 4);
  return `blk[0][${q}][(${col}) * 4 + ${row} - ${q} * 4]`;
};

/** im2col: [P = N*OH*OW rows, CK = C*KH*KW columns], zero where a tap falls in the padding. */
function im2col(backend: GpujsBackend, x: Arg, g: ConvGeometry): Arg {
  const kk = g.kh * g.kw;
  const s = g.oh * g.ow;
  const iy = `oy * ${g.sh} - ${g.ph} + ky`;
  const ix = `ox * ${g.sw} - ${g.pw} + kx`;
  const inside = [
    ...(g.ph > 0 ? [`iy >= 0 && iy < ${g.h}`] : []),
    ...(g.pw > 0 ? [`ix >= 0 && ix < ${g.w}`] : []),
  ];
  const read = `x[n * ${g.c} + ci][iy][ix]`;
  const body = `${THREAD}
const ci = ${idiv("tx", kk)};
const r = tx - ci * ${kk};
const ky = ${idiv("r", g.kw)};
const kx = r - ky * ${g.kw};
const n = ${idiv("ty", s)};
const q = ty - n * ${s};
const oy = ${idiv("q", g.ow)};
const ox = q - oy * ${g.ow};
const iy = ${iy};
const ix = ${ix};
${inside.length ? `if (${inside.join(" && ")}) {\nreturn ${read};\n}\nreturn 0;` : `return ${read};`}`;
  return backend.temp(kernel(["x"], body), [g.c * kk, g.n * s, 1], [x]);
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
  const cols = im2col(backend, backend.natural(x), g);
  const blk = product(backend, {
    rows: g.o,
    cols: g.n * s,
    a: backend.natural(w),
    aBase: `r0 * ${ck}`,
    aRow: ck,
    b: cols,
    bBase: `j * ${ck}`,
    loops: [[ck, 1, 1]],
  });
  const body = `${THREAD}
const n = ${idiv("tz", g.o)};
const o = tz - n * ${g.o};
return ${at("o", `n * ${s} + ty * ${g.ow} + tx`)}${b ? " + bias[0][0][o]" : ""};`;
  const args = [blk, ...(b ? [backend.arg(b, [g.o, 1, 1])] : [])];
  return backend.output(kernel(b ? ["blk", "bias"] : ["blk"], body), [g.ow, g.oh, g.n * g.o], args, [
    g.n,
    g.o,
    g.oh,
    g.ow,
  ]);
}

/** dW = sum over the batch and positions of dy x im2col(x). */
export function convFilterGrad(
  backend: GpujsBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const ck = g.c * g.kh * g.kw;
  const s = g.oh * g.ow;
  const cols = im2col(backend, backend.natural(x), g);
  const blk = product(backend, {
    rows: g.o,
    cols: ck,
    a: backend.natural(dy),
    aBase: `r0 * ${s}`,
    aRow: s,
    b: cols,
    bBase: "j",
    loops: [
      [g.n, g.o * s, s * ck],
      [s, 1, ck],
    ],
  });
  const body = `${THREAD}\nreturn ${at("ty", "tx")};`;
  return backend.output(kernel(["blk"], body), [ck, g.o, 1], [blk], [g.o, g.c, g.kh, g.kw]);
}

/** dx = col2im(w^T dy): the product per (tap, position), then each input element sums its taps. */
export function convInputGrad(
  backend: GpujsBackend,
  dy: TensorInfo,
  w: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const kk = g.kh * g.kw;
  const ck = g.c * kk;
  const s = g.oh * g.ow;
  const blk = product(backend, {
    rows: ck,
    cols: g.n * s,
    a: backend.natural(w),
    aBase: "r0",
    aRow: 1,
    b: backend.natural(dy),
    bBase: `${idiv("j", s)} * ${g.o * s} + j - ${idiv("j", s)} * ${s}`,
    loops: [[g.o, ck, s]],
  });
  const tap = `acc += ${at(`ci * ${kk} + ky * ${g.kw} + kx`, `n * ${s} + oy * ${g.ow} + ox`)};`;
  const body = `${THREAD}
const n = ${idiv("tz", g.c)};
const ci = tz - n * ${g.c};
let acc = 0;
${covering("y", "ty", g.kh, g.sh, g.ph, g.oh, covering("x", "tx", g.kw, g.sw, g.pw, g.ow, tap))}
return acc;`;
  return backend.output(kernel(["blk"], body), [g.w, g.h, g.n * g.c], [blk], [g.n, g.c, g.h, g.w]);
}
