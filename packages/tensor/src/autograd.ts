/**
 * Reverse-mode differentiation: a topological sort of the recorded graph from a scalar root, then
 * each operation's local chain rule (its `gradFn`) in reverse order, summing gradients of tensors
 * used more than once. Intermediate gradients are freed as soon as nothing holds them, and so are the
 * tensors an operation saved once its backward has run (those `tidyForward` left to the graph).
 */
import { isDataShared, noGrad, tidy } from "./engine.js";
import { add, scale } from "./ops/elementwise.js";
import { ones } from "./creation.js";
import { dropSaved } from "./saved.js";
import type { Tensor } from "./tensor.js";

/** Tensors whose recorded operation was already backpropagated (their graph is freed, as in PyTorch). */
const consumed = new WeakSet<Tensor>();

export function backward(root: Tensor): void {
  if (root.size !== 1) {
    throw new Error(`backward: expected a scalar (one element) to differentiate, got shape [${root.shape}]`);
  }
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad (no input of its graph requires grad)");
  }
  const order = topologicalOrder(root);
  noGrad(() =>
    tidy(() => {
      // Pending gradients, and how many places hold each tensor (a gradient may be passed through
      // unchanged to several inputs), so that each is freed as soon as nothing holds it.
      const grads = new Map<Tensor, Tensor>();
      const holders = new Map<Tensor, number>();
      const hold = (t: Tensor) => holders.set(t, (holders.get(t) ?? 0) + 1);
      const release = (t: Tensor) => {
        const n = (holders.get(t) ?? 0) - 1;
        if (n > 0) holders.set(t, n);
        else {
          holders.delete(t);
          t.dispose();
        }
      };
      const seed = ones(root.shape);
      grads.set(root, seed);
      hold(seed);
      for (const t of order) {
        const g = grads.get(t);
        if (!g) continue;
        grads.delete(t);
        const fn = t.gradFn;
        if (!fn) {
          // A leaf: its gradient leaves the graph, so it gets storage of its own (a copy when the
          // pending gradient is also held elsewhere or shares storage through a reshape).
          const owned = holders.get(g) === 1 && !isDataShared(g.dataId);
          const grad = t.grad ? add(t.grad, g) : owned ? g : scale(g, 1);
          t.setGrad(grad);
          if (grad === g) holders.delete(g);
          else release(g);
          continue;
        }
        const inputGrads = fn.backward(g);
        fn.inputs.forEach((input, i) => {
          const gi = inputGrads[i];
          if (!gi || !input.requiresGrad) return;
          const prev = grads.get(input);
          const sum = prev ? add(prev, gi) : gi;
          grads.set(input, sum);
          hold(sum);
          if (prev) release(prev);
        });
        release(g);
        t.gradFn = null; // the graph is consumed, as in PyTorch
        consumed.add(t);
        dropSaved(fn);
      }
    }),
  );
}

/**
 * Tensors reachable from `root` through recorded operations, each after every tensor that uses it.
 * Throws when the graph cannot be differentiated: a part of it was already backpropagated, or a
 * tensor in it was disposed (for example by the `tidy` that ran the forward pass).
 */
function topologicalOrder(root: Tensor): Tensor[] {
  checkNode(root, null);
  const visited = new Set<Tensor>();
  const postorder: Tensor[] = [];
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i]!;
      if (next.requiresGrad && !visited.has(next)) {
        checkNode(next, t.gradFn!.name);
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      postorder.push(t);
    }
  }
  return postorder.reverse();
}

function checkNode(t: Tensor, usedBy: string | null): void {
  const what = `${usedBy === null ? "the root" : `an input of '${usedBy}'`} (shape [${t.shape}])`;
  if (consumed.has(t)) {
    throw new Error(
      `backward: the graph through ${what} was already backpropagated and freed; run the forward pass again`,
    );
  }
  // A tensor whose storage alone was freed (saved.ts) is still a node of the graph.
  if (t.isDisposed && !(t.isReleased && t.gradFn)) {
    throw new Error(
      `backward: ${what} was disposed, so its graph is gone; call backward() inside the tidy() that ran the forward pass`,
    );
  }
}
