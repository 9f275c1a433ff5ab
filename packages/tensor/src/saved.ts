/**
 * What the recorded graph still reads, so that a forward pass keeps only that. Every recorded operation
 * lists the tensors its backward reads (`GradFn.saved`); here each tensor counts the live operations that
 * saved it. `tidyForward` frees a forward pass's intermediates as `tidy` does, except that it hands the saved
 * ones to the graph and keeps the others' graph nodes without their storage. The graph frees a tensor it was
 * handed once the last operation that saved it has run backward or was disposed (as PyTorch frees a saved
 * tensor when its graph node goes).
 */
import { runScope, track } from "./engine.js";
import type { GradFn, Tensor } from "./tensor.js";

const savers = new WeakMap<Tensor, number>();
/** Tensors that `tidyForward` left to the graph: freed when their count of savers reaches zero. */
const ownedByGraph = new WeakSet<Tensor>();

/** Counts `fn`'s saved tensors as read by one more live operation (when `fn` is recorded). */
export function retainSaved(fn: GradFn): void {
  for (const t of fn.saved) savers.set(t, (savers.get(t) ?? 0) + 1);
}

/** `fn` will not run backward again (it ran, or its node was disposed): frees what only it still read. */
export function dropSaved(fn: GradFn): void {
  for (const t of fn.saved) {
    const n = (savers.get(t) ?? 0) - 1;
    if (n > 0) {
      savers.set(t, n);
      continue;
    }
    savers.delete(t);
    if (ownedByGraph.delete(t)) t.releaseStorage();
  }
}

/**
 * Runs a forward computation and frees what it created but does not return, like `tidy`, but keeps what the
 * returned tensors' backward needs: tensors a recorded operation saved survive (to the enclosing scope) until
 * backward has read them; other intermediates of the graph lose their storage but stay nodes of it. Leaves
 * that require grad and tensors passed to `keep` are left alone. Composite modules run their forward in it.
 */
export function tidyForward<T>(fn: () => T): T {
  const { result, created, survivors } = runScope("tidyForward", fn);
  for (const t of created) {
    if (survivors.has(t) || (t.requiresGrad && !t.gradFn)) track(t);
    else if (savers.has(t)) {
      ownedByGraph.add(t);
      track(t);
    } else if (t.gradFn) {
      t.releaseStorage();
      track(t);
    } else t.dispose();
  }
  return result;
}
