/**
 * Matrix products for the array modes (webasm, cpu), where gpu.js runs 4 threads of an x-row as one
 * SIMD quad: a lane-varying read is a 4-load gather, a read that is the same for the quad is one
 * load. So each thread computes a 4-row block of one column and returns it as `[s0, s1, s2, s3]`:
 * one gathered value of B feeds 4 multiply-adds with 4 uniform values of A (2.5-3x the throughput
 * of one output per thread on webasm). Every size is a literal; indices are integers.
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

/**
 * The product as a temporary of dims [4 * cols, ceil(rows / 4), 1]: row r, column j at
 * [0][r / 4][4 j + r % 4]. Rows past M (the last block) repeat row r0 and are never read.
 */
export function product(backend: GpujsBackend, p: Product): Arg {
  const loops = merge(p.loops);
  const fixed = p.rows % 4 === 0 && p.aRow !== undefined;
  const offsets = [1, 2, 3].map((c) => (fixed ? `${c * p.aRow!}` : `d${c}`));
  const offset = (c: number) => (p.aRow !== undefined ? `${c * p.aRow}` : `${p.aBase(`(r0 + ${c})`)} - ai`);
  const guards = fixed
    ? ""
    : [1, 2, 3]
        .map((c) =>
          p.rows % 4 === 0
            ? `const d${c} = ${offset(c)};`
            : `const d${c} = r0 + ${c} < ${p.rows} ? ${offset(c)} : 0;`,
        )
        .join("\n");
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
let ai = ${p.aBase("r0")};
${guards}
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

/** Value (row, col) of a product's temporary `blk`, as source. */
export function productAt(row: string, col: string): string {
  const q = idiv(row, 4);
  return `blk[0][${q}][(${col}) * 4 + ${row} - ${q} * 4]`;
}
