// Softmax and the fused softmax cross-entropy with its gradient.
import { af, ai, ap, splitEnd, splitStart } from "./common";
import { Softmax, SoftmaxCrossEntropy } from "./generated/abi";

/** softmax(row) into out, returns the row's log-sum-exp (f64 like the reference). */
function softmaxRow(logits: usize, out: usize, k: i32): f64 {
  let mx: f64 = -Infinity;
  for (let j = 0; j < k; j++) mx = max(mx, <f64>load<f32>(logits + (<usize>j << 2)));
  let total: f64 = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp(<f64>load<f32>(logits + (<usize>j << 2)) - mx);
    store<f32>(out + (<usize>j << 2), <f32>e);
    total += e;
  }
  for (let j = 0; j < k; j++) {
    const o = out + (<usize>j << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) / total));
  }
  return mx + Math.log(total);
}

/** Row-wise softmax; threads split rows. */
export function k_softmax(tid: i32, nt: i32, args: usize): void {
  const logits = ap(args, Softmax.logits), out = ap(args, Softmax.out), n = ai(args, Softmax.n), k = ai(args, Softmax.k);
  const r0 = splitStart(n, tid, nt, 1), r1 = splitEnd(n, tid, nt, 1);
  for (let i = r0; i < r1; i++) {
    const off = <usize>(i * k) << 2;
    softmaxRow(logits + off, out + off, k);
  }
}

/**
 * Mean cross-entropy with label smoothing e (0: none) and its gradient (softmax - q) / n, q = (1 - e) onehot + e / k;
 * thread 0 only (labels checked in JS).
 */
export function k_softmaxCrossEntropy(tid: i32, nt: i32, args: usize): void {
  if (tid != 0) return;
  const logits = ap(args, SoftmaxCrossEntropy.logits), labels = ap(args, SoftmaxCrossEntropy.labels), lossOut = ap(args, SoftmaxCrossEntropy.loss), grad = ap(args, SoftmaxCrossEntropy.grad);
  const n = ai(args, SoftmaxCrossEntropy.n), k = ai(args, SoftmaxCrossEntropy.k);
  const e = <f64>af(args, SoftmaxCrossEntropy.labelSmoothing);
  const off_k = e / <f64>k;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>(i * k) << 2;
    const label = <i32>load<f32>(labels + (<usize>i << 2));
    const lse = softmaxRow(logits + off, grad + off, k);
    loss += lse - (1 - e) * <f64>load<f32>(logits + off + (<usize>label << 2));
    if (e > 0) {
      let rowSum: f64 = 0;
      for (let j = 0; j < k; j++) {
        const o = off + (<usize>j << 2);
        rowSum += <f64>load<f32>(logits + o);
        store<f32>(grad + o, <f32>(<f64>load<f32>(grad + o) - off_k));
      }
      loss -= e * rowSum / <f64>k;
    }
    const g = grad + off + (<usize>label << 2);
    store<f32>(g, <f32>(<f64>load<f32>(g) - (1 - e)));
  }
  const inv = <f64>1 / <f64>n;
  for (let j = 0; j < n * k; j++) {
    const g = grad + (<usize>j << 2);
    store<f32>(g, <f32>(<f64>load<f32>(g) * inv));
  }
  store<f32>(lossOut, <f32>(loss / <f64>n));
}
