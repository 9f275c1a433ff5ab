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
 * Mean cross-entropy between softmax(logits [N,K]) and integer class labels [N] (as float32), with
 * optional label smoothing in [0, 1] as PyTorch's `CrossEntropyLoss(label_smoothing=...)`: the target
 * puts 1 - e + e / K on the label and e / K on every other class.
 * The kernel computes the gradient in the same pass; backward scales it by the incoming gradient.
 */
export function softmaxCrossEntropy(
  logits: Tensor,
  labels: Tensor,
  options: { labelSmoothing?: number } = {},
): Tensor {
  assertRank("softmaxCrossEntropy", "logits", logits.shape, 2);
  assertRank("softmaxCrossEntropy", "labels", labels.shape, 1);
  if (labels.shape[0] !== logits.shape[0]) {
    throw new Error(
      `softmaxCrossEntropy: ${labels.shape[0]} labels for ${logits.shape[0]} rows of logits ${fmt(logits.shape)}`,
    );
  }
  const labelSmoothing = options.labelSmoothing ?? 0;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(`softmaxCrossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  }
  const { loss, dlogits } = runKernel(
    "SoftmaxCrossEntropy",
    { logits: info("softmaxCrossEntropy", logits), labels: info("softmaxCrossEntropy", labels) },
    { labelSmoothing },
  );
  const grad = wrap(dlogits);
  return record(loss, "softmaxCrossEntropy", [logits], [grad], (dy) => [
    mul(grad, broadcastScalar(dy, grad.shape)),
  ]);
}
