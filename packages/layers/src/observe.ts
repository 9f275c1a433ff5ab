/**
 * One forward pass of a model on zeros, watching what its modules output (a layer's output sizes for a
 * memory estimate, its multiply-adds, ...). Runs in eval mode with no gradients and keeps no tensor;
 * the model is left as it was (its modules' forwards and its training mode).
 */
import { noGrad, type Tensor, tidy, zeros } from "@resnet-ts/tensor";
import type { Module } from "./module.js";

/**
 * Runs `model` once on zeros of `inputShape`; every module (the model included) for which `watch`
 * returns a callback has that callback called with each output it produces.
 */
export function observeForward(
  model: Module,
  inputShape: readonly number[],
  watch: (module: Module) => ((output: Tensor) => void) | null,
): void {
  const watched = new Set<Module>();
  const wasTraining = model.training;
  try {
    for (const [, m] of model.namedModules()) {
      const seen = watched.has(m) ? null : watch(m);
      if (!seen) continue;
      const forward = m.forward.bind(m);
      m.forward = (x) => {
        const y = forward(x);
        seen(y);
        return y;
      };
      watched.add(m);
    }
    model.eval();
    noGrad(() => tidy(() => void model.forward(zeros(inputShape))));
  } finally {
    for (const m of watched) delete (m as { forward?: unknown }).forward;
    model.train(wasTraining);
  }
}
