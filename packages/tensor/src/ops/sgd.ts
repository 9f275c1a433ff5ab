/** The in-place SGD update (PyTorch's rule, with momentum, dampening, weight decay and Nesterov). */
import { runKernel } from "../engine.js";
import { assertFinite, assertSameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { info } from "./record.js";

export interface SgdStepOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /** True on the buffer's first step (PyTorch then copies the gradient into it). */
  firstStep?: boolean;
}

/** Updates `param` (and `momentumBuf`, when momentum > 0) in place from `grad`. */
export function sgdUpdate(
  param: Tensor,
  grad: Tensor,
  momentumBuf: Tensor | null,
  options: SgdStepOptions,
): void {
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, firstStep = false } = options;
  assertFinite("sgdUpdate", "lr", lr, 0);
  assertFinite("sgdUpdate", "momentum", momentum, 0);
  assertFinite("sgdUpdate", "dampening", dampening, 0, 1);
  assertFinite("sgdUpdate", "weightDecay", weightDecay, 0);
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new Error(
      `sgdUpdate: nesterov needs momentum > 0 and dampening 0, got ${momentum} and ${dampening}`,
    );
  }
  assertSameShape("sgdUpdate", param.shape, grad.shape);
  if (momentum > 0) {
    if (!momentumBuf) throw new Error("sgdUpdate: momentum > 0 needs a momentum buffer");
    assertSameShape("sgdUpdate", param.shape, momentumBuf.shape);
  }
  runKernel(
    "SgdUpdate",
    {
      param: info("sgdUpdate", param),
      grad: info("sgdUpdate", grad),
      ...(momentum > 0 && momentumBuf ? { momentumBuf: info("sgdUpdate", momentumBuf) } : {}),
    },
    { lr, momentum, dampening, weightDecay, nesterov, firstStep },
  );
}
