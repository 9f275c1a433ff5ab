/**
 * Matrix products where each thread computes a 4-row block of one column and returns it as
 * `[s0, s1, s2, s3]`, so one read of B feeds 4 multiply-adds. In the array modes (webasm, cpu)
 * gpu.js runs 4 threads of an x-row as one SIMD quad: a lane-varying read is a 4-load gather and a
 * read the quad shares is one load, so A is read in place (2.5-3x the throughput of one output per
 * thread on webasm). On GL, A is first packed 4 rows to a texel, so one texture fetch of A and one
 * of B make 4 multiply-adds (instead of 2 fetches per multiply-add). Every size is a literal.
 */
import type { GpujsBackend } from "../backend.js";
import type { Arg } from "../executors/types.js";
import { idiv, kernel } from "./source.js";

/** One loop of a product: `count` steps, moving A's index by `a` and B's by `b` each step. */
type Loop = readonly [count: number, a: number, b: number];

export interface Product {
  /** M: rows of the result, in blocks of 4 (thread.y); rows of A. */
  rows: number;
  /** N: columns of the result (thread.x, the SIMD lanes). */
  cols: number;
  /**
   * A, read at the same index by a whole quad: row `r` starts at `aBase(r)` (an integer expression);
   * `aRow` is the distance between rows when it is constant.
   */
  a: Arg;
  aBase: (r: string) => string;
  aRow?: number;
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

/** Loops around `step`, moving `bi` and either `ai` (in place) or `kq` (packed) by the loops' steps. */
function nest(loops: readonly Loop[], step: string, moveA: boolean): string {
  let body = moveA ? step : `${step}\nkq++;`;
  for (let i = loops.length - 1; i >= 0; i--) {
    const [count, da, db] = loops[i]!;
    const inner = loops[i + 1];
    const ea = moveA ? da - (inner ? inner[0] * inner[1] : 0) : 0;
    const eb = db - (inner ? inner[0] * inner[2] : 0);
    body = `for (let k${i} = 0; k${i} < ${count}; k${i}++) {
${body}
${ea ? `ai += ${ea};` : ""}
${eb ? `bi += ${eb};` : ""}
}`;
  }
  return body;
}

const flat = (backend: GpujsBackend, a: Arg) => backend.view(a, [a.dims[0] * a.dims[1] * a.dims[2], 1, 1]);

/** Source that sets row `r`'s clamped index offset (rows past M read row M - 1, never used). */
const rowIndex = (p: Product, r: string) =>
  p.rows % 4 === 0 ? p.aBase(`(${r})`) : p.aBase(`(${r} < ${p.rows} ? ${r} : ${p.rows - 1})`);

/**
 * The product as a temporary holding row r, column j in block r / 4, component r % 4 (read it with
 * `productValue`). Rows past M (in the last block) are never read.
 */
export function product(backend: GpujsBackend, p: Product): Arg {
  const loops = merge(p.loops);
  const out: [number, number, number] = [p.cols, Math.ceil(p.rows / 4), 1];
  const head = `const j = this.thread.x;
let bi = ${p.bBase};
let s0 = 0;
let s1 = 0;
let s2 = 0;
let s3 = 0;`;
  if (backend.executor.quads === "texels") {
    const step = `const v = b[0][0][bi];
const av = a[0][this.thread.y][kq];
s0 += av[0] * v;
s1 += av[1] * v;
s2 += av[2] * v;
s3 += av[3] * v;`;
    const source = kernel(
      ["a", "b"],
      `${head}\nlet kq = 0;\n${nest(loops, step, false)}\nreturn [s0, s1, s2, s3];`,
    );
    return backend.quadTemp(source, out, [packRows(backend, p, loops), flat(backend, p.b)]);
  }
  const offsets = [1, 2, 3].map((c) =>
    p.rows % 4 === 0 && p.aRow !== undefined ? `${c * p.aRow}` : `d${c}`,
  );
  const guards = offsets
    .map((o, i) => (o.startsWith("d") ? `const ${o} = ${rowIndex(p, `r0 + ${i + 1}`)} - ai;` : ""))
    .join("\n");
  // One index per read (the operands are flat views): gpu.js then adds no y / z terms (10% on webasm).
  const step = `const v = b[bi];
s0 += a[ai] * v;
s1 += a[ai + ${offsets[0]}] * v;
s2 += a[ai + ${offsets[1]}] * v;
s3 += a[ai + ${offsets[2]}] * v;`;
  const source = kernel(
    ["a", "b"],
    `const r0 = this.thread.y * 4;
let ai = ${p.aBase("r0")};
${guards}
${head}
${nest(loops, step, true)}
return [s0, s1, s2, s3];`,
  );
  return backend.quadTemp(source, out, [flat(backend, p.a), flat(backend, p.b)]);
}

/** A packed for GL: texel (k, r / 4) holds rows r .. r + 3 at the k-th step of the loops. */
function packRows(backend: GpujsBackend, p: Product, loops: readonly Loop[]): Arg {
  const offset = loops
    .map(([count, da], i) => {
      const below = loops.slice(i + 1).reduce((n, l) => n * l[0], 1);
      const q = idiv("kq", below);
      return `${i === 0 ? q : `(${q} - ${idiv("kq", below * count)} * ${count})`} * ${da}`;
    })
    .join(" + ");
  const row = (c: number) => `a[0][0][${rowIndex(p, `r0 + ${c}`)} + o]`;
  const source = kernel(
    ["a"],
    `const kq = this.thread.x;
const r0 = this.thread.y * 4;
const o = ${offset};
return [${row(0)}, ${row(1)}, ${row(2)}, ${row(3)}];`,
  );
  const steps = loops.reduce((n, l) => n * l[0], 1);
  return backend.quadTemp(source, [steps, Math.ceil(p.rows / 4), 1], [flat(backend, p.a)]);
}

/**
 * Source declaring `name` = value (row, col) of a product's temporary `blk` (a statement: on GL the
 * component of a fetched texel is picked by comparisons).
 */
export function productValue(backend: GpujsBackend, name: string, row: string, col: string): string {
  const q = idiv(row, 4);
  if (backend.executor.quads !== "texels")
    return `const ${name} = blk[0][${q}][(${col}) * 4 + ${row} - ${q} * 4];`;
  return `const ${name}v = blk[0][${q}][${col}];
const ${name}c = ${row} - ${q} * 4;
const ${name} = ${name}c == 0 ? ${name}v[0] : (${name}c == 1 ? ${name}v[1] : (${name}c == 2 ? ${name}v[2] : ${name}v[3]));`;
}

/** Most steps one GL thread of a product sums: longer dispatches can trip the WebGL watchdog. */
const GL_SPAN = 8192;

/**
 * Whether a product of `rows` x `cols` summing `steps` terms per value runs here: always in the
 * array modes (integer indices); on GL when the sums are short, the RGBA textures (cols or steps
 * by rows / 4) fit the texture size limit and the flat operand indices stay below 2^24 (exact
 * even where GL integers are floats, as in WebGL1).
 */
export function productFits(backend: GpujsBackend, rows: number, cols: number, steps: number): boolean {
  const { quads, textureLimit } = backend.executor;
  if (quads === "interleaved") return true;
  const fits = Math.max(cols, steps, Math.ceil(rows / 4)) <= textureLimit;
  const exact = Math.max(rows, cols) * steps < 2 ** 24;
  return quads === "texels" && steps <= GL_SPAN && fits && exact;
}
