/** Elementwise ops on same-shaped tensors, each with its gradient beside it. */
import { runKernel } from "../engine.js";
import { assertFinite, assertSameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { info, record, wrap } from "./record.js";

export function add(a: Tensor, b: Tensor): Tensor {
  assertSameShape("add", a.shape, b.shape);
  const out = runKernel("Add", { a: info("add", a), b: info("add", b) }, {});
  return record(out, "add", [a, b], [], (dy) => [dy, dy]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  assertSameShape("sub", a.shape, b.shape);
  const out = runKernel("Sub", { a: info("sub", a), b: info("sub", b) }, {});
  return record(out, "sub", [a, b], [], (dy) => [dy, scale(dy, -1)]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  assertSameShape("mul", a.shape, b.shape);
  const out = runKernel("Mul", { a: info("mul", a), b: info("mul", b) }, {});
  return record(out, "mul", [a, b], [a, b], (dy) => [
    a.requiresGrad ? mul(dy, b) : null,
    b.requiresGrad ? mul(dy, a) : null,
  ]);
}

/** x * scalar. */
export function scale(x: Tensor, scalar: number): Tensor {
  assertFinite("scale", "scalar", scalar);
  const out = runKernel("Scale", { x: info("scale", x) }, { scalar });
  return record(out, "scale", [x], [], (dy) => [scale(dy, scalar)]);
}

export function relu(x: Tensor): Tensor {
  const out = runKernel("Relu", { x: info("relu", x) }, {});
  const y = record(out, "relu", [x], ["output"], (dy) => [
    wrap(runKernel("ReluGrad", { dy: info("relu", dy), y: info("relu", y) }, {})),
  ]);
  return y;
}
