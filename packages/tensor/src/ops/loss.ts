/** Softmax and the fused mean softmax cross-entropy used as the training loss. */
import { runKernel } from "../engine.js";
import { assertRank, fmt } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { mul } from "./elementwise.js";
import { broadcastScalar } from "./reduce.js";
import { info, record, wrap } from "./record.js";

/** Row-wise softmax of logits [N,K]. Not differentiated (use softmaxCrossEntropy for training). */
export function softmax(logits: Tensor): Tensor {
  assertRank("softmax", "logits", logits.shape, 2);
  return wrap(runKernel("Softmax", { logits: info("softmax", logits) }, {}));
}

/**
 * Mean cross-entropy between softmax(logits [N,K]) and integer class labels [N] (as float32).
 * The kernel computes the gradient in the same pass; backward scales it by the incoming gradient.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  assertRank("softmaxCrossEntropy", "logits", logits.shape, 2);
  assertRank("softmaxCrossEntropy", "labels", labels.shape, 1);
  if (labels.shape[0] !== logits.shape[0]) {
    throw new Error(
      `softmaxCrossEntropy: ${labels.shape[0]} labels for ${logits.shape[0]} rows of logits ${fmt(logits.shape)}`,
    );
  }
  const { loss, dlogits } = runKernel(
    "SoftmaxCrossEntropy",
    { logits: info("softmaxCrossEntropy", logits), labels: info("softmaxCrossEntropy", labels) },
    {},
  );
  const grad = wrap(dlogits);
  return record(loss, "softmaxCrossEntropy", [logits], (dy) => [mul(grad, broadcastScalar(dy, grad.shape))]);
}
