/** The glue between ops and kernels: input checks against the active backend and gradient recording. */
import { getBackend, isGradEnabled } from "../engine.js";
import type { TensorInfo } from "../kernels.js";
import { retainSaved } from "../saved.js";
import { Tensor } from "../tensor.js";

/** The kernel view of `t`, checking that it lives on the active backend. */
export function info(op: string, t: Tensor): TensorInfo {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${typeof t}`);
  if (t.isDisposed) {
    const after = t.isReleased
      ? "its storage was freed (an intermediate of a forward pass that backward does not read; keep() it inside the forward to read it)"
      : "dispose()";
    throw new Error(`${op}: a tensor of shape [${t.shape}] was used after ${after}`);
  }
  const backend = getBackend();
  if (t.backend !== backend) {
    throw new Error(
      `${op}: a tensor lives on backend '${t.backend.name}' but the active one is '${backend.name}'`,
    );
  }
  return { dataId: t.dataId, shape: t.shape };
}

/**
 * Wraps a kernel output and records how to differentiate it when any input requires grad. `saved` lists
 * every tensor whose values `backward` reads ("output": the result itself); the others may be freed
 * before backward runs (saved.ts), so a tensor missing from it fails there as used after its storage was freed.
 */
export function record(
  out: TensorInfo,
  name: string,
  inputs: readonly Tensor[],
  saved: readonly (Tensor | "output")[],
  backward: (dy: Tensor) => readonly (Tensor | null)[],
): Tensor {
  const t = new Tensor(out.dataId, out.shape);
  if (isGradEnabled() && inputs.some((x) => x.requiresGrad)) {
    t.requiresGrad = true;
    t.gradFn = { name, inputs, saved: saved.map((s) => (s === "output" ? t : s)), backward };
    retainSaved(t.gradFn);
  }
  return t;
}

/** Wraps a kernel output that is not differentiated. */
export const wrap = (out: TensorInfo): Tensor => new Tensor(out.dataId, out.shape);
