/**
 * Matrix product, one thread per output element with a constant loop over the inner dimension. An
 * empty inner dimension (k = 0) gives zeros without reading the operands: gpu.js cannot make their
 * zero-sized textures.
 */
import { matmulDims } from "@resnet-ts/tensor";
import { type Impl, kernel } from "./source.js";

export const matMul: Impl<"MatMul"> = (backend, { a, b }, { transposeA, transposeB }) => {
  const { m, k, n } = matmulDims(a.shape, b.shape, transposeA, transposeB);
  if (k === 0) return backend.output(kernel([], "return 0;"), [n, m, 1], [], [m, n]);
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
