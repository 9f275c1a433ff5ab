/** Reductions to a scalar, and the broadcast that is their gradient. */
import { zeros } from "../creation.js";
import { runKernel } from "../engine.js";
import { fmt } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { scale } from "./elementwise.js";
import { biasAdd } from "./linear.js";
import { info, record } from "./record.js";
import { reshape } from "./reshape.js";

/** Sum of all elements, shape []. */
export function sum(x: Tensor): Tensor {
  const out = runKernel("Sum", { x: info("sum", x) }, {});
  return record(out, "sum", [x], [], (dy) => [broadcastScalar(dy, x.shape)]);
}

/** Mean of all elements, shape []. */
export function mean(x: Tensor): Tensor {
  return scale(sum(x), 1 / x.size);
}

/** A one-element tensor repeated to `shape`, computed on the backend (no read back to the host). */
export function broadcastScalar(s: Tensor, shape: readonly number[]): Tensor {
  if (s.size !== 1) throw new Error(`broadcastScalar: expected one element, got ${fmt(s.shape)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  return reshape(biasAdd(zeros([size, 1]), reshape(s, [1])), shape);
}
