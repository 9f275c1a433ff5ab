/** Matrix product, one thread per output element with a constant loop over the inner dimension. */
import { type Impl, kernel } from "./source.js";

export const matMul: Impl<"MatMul"> = (backend, { a, b }, { transposeA, transposeB }) => {
  const [a0, a1] = a.shape as [number, number];
  const [b0, b1] = b.shape as [number, number];
  const m = transposeA ? a1 : a0;
  const k = transposeA ? a0 : a1;
  const n = transposeB ? b0 : b1;
  const av = transposeA ? "a[0][p][i]" : "a[0][i][p]";
  const bv = transposeB ? "b[0][j][p]" : "b[0][p][j]";
  const body = `const j = this.thread.x;
const i = this.thread.y;
let acc = 0;
for (let p = 0; p < ${k}; p++) {
  acc += ${av} * ${bv};
}
return acc;`;
  return backend.output(
    kernel(["a", "b"], body),
    [n, m, 1],
    [backend.natural(a), backend.natural(b)],
    [m, n],
  );
};
