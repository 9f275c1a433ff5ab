/** Shape-only ops: the result shares the input's storage. */
import { fmt, shapeSize } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { info, record } from "./record.js";

/** Same values, new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveShape(x, shape);
  const { dataId } = info("reshape", x);
  return record({ dataId, shape: resolved }, "reshape", [x], [], (dy) => [reshape(dy, x.shape)]);
}

/** [N, ...] -> [N, product of the rest]. */
export function flatten(x: Tensor): Tensor {
  if (x.rank < 1) throw new Error(`flatten: expected rank >= 1, got shape ${fmt(x.shape)}`);
  return reshape(x, [x.shape[0]!, -1]);
}

function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  const inferred = shape.filter((d) => d === -1).length;
  const bad = shape.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1));
  if (inferred > 1 || bad) {
    throw new Error(`reshape: shape ${fmt(shape)} is invalid; use positive integers and at most one -1`);
  }
  const known = shapeSize(shape.filter((d) => d !== -1));
  const out = shape.map((d) => (d === -1 ? x.size / known : d));
  if (shapeSize(out) !== x.size || out.some((d) => !Number.isInteger(d))) {
    throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
  }
  return out;
}
