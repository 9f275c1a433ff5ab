/** Row softmax and the fused softmax cross-entropy (label smoothing optional): one thread per (row, class), rows are short (K classes). */
import type { TensorInfo } from "@resnet-ts/tensor";
import type { GpujsBackend } from "../backend.js";
import { reduceAxis } from "./reduce.js";
import { type Impl, kernel } from "./source.js";

/** Source lines setting `mx` (row max) and `se` (sum of exp(l - mx)) of row `row`. */
const rowStats = (k: number, row: string) => `let mx = l[0][${row}][0];
for (let j = 1; j < ${k}; j++) {
  mx = Math.max(mx, l[0][${row}][j]);
}
let se = 0;
for (let j = 0; j < ${k}; j++) {
  se += Math.exp(l[0][${row}][j] - mx);
}`;

export const softmax: Impl<"Softmax"> = (backend, { logits }) => {
  const [n, k] = logits.shape as [number, number];
  const body = `${rowStats(k, "this.thread.y")}
return Math.exp(l[0][this.thread.y][this.thread.x] - mx) / se;`;
  return backend.output(kernel(["l"], body), [k, n, 1], [backend.natural(logits)], [n, k]);
};

function checkLabels(backend: GpujsBackend, labels: TensorInfo, k: number): void {
  const values = backend.hostValues(labels);
  if (!values) return;
  values.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= k) {
      throw new Error(`softmaxCrossEntropy: label ${label} at row ${i} is not a class index in [0, ${k})`);
    }
  });
}

/**
 * Label smoothing e moves e of the target's mass onto the uniform distribution: the gradient subtracts
 * (1 - e) at the label and e / K everywhere, the row loss is lse - (1 - e) l[label] - e mean(l).
 */
export const softmaxCrossEntropy: Impl<"SoftmaxCrossEntropy"> = (
  backend,
  { logits, labels },
  { labelSmoothing: e },
) => {
  const [n, k] = logits.shape as [number, number];
  checkLabels(backend, labels, k);
  const l = backend.natural(logits);
  const y = backend.arg(labels, [n, 1, 1]);
  const grad = `const i = this.thread.y;
${rowStats(k, "i")}
const hit = Math.abs(this.thread.x - y[0][0][i]) < 0.5 ? 1 : 0;
return (Math.exp(l[0][i][this.thread.x] - mx) / se - hit * (1 - smooth) - smooth / ${k}) * rn;`;
  const dlogits = backend.output(
    kernel(["l", "y", "rn", "smooth"], grad),
    [k, n, 1],
    [l, y, 1 / n, e],
    [n, k],
  );
  const rowLoss = `const i = this.thread.y;
${rowStats(k, "i")}
let rowSum = 0;
for (let j = 0; j < ${k}; j++) {
  rowSum += l[0][i][j];
}
return mx + Math.log(se) - (1 - smooth) * l[0][i][y[0][0][i]] - smooth * rowSum / ${k};`;
  let rows = backend.temp(kernel(["l", "y", "smooth"], rowLoss), [1, n, 1], [l, y, e]);
  while (rows.dims[1] > 1) rows = reduceAxis(backend, rows, 1);
  const loss = backend.output(kernel(["a", "rn"], "return a[0][0][0] * rn;"), [1, 1, 1], [rows, 1 / n], []);
  return { loss, dlogits };
};
