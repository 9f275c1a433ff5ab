/**
 * Reverse-mode differentiation: a topological sort of the recorded graph from a scalar root, then
 * each operation's local chain rule (its `gradFn`) in reverse order, summing gradients of tensors
 * used more than once. Intermediate gradients are freed as soon as nothing holds them.
 */
import { noGrad, tidy } from "./engine.js";
import { add } from "./ops/elementwise.js";
import { ones, zerosLike } from "./creation.js";
import type { Tensor } from "./tensor.js";

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
          // A leaf: its gradient leaves the graph, so it gets storage of its own.
          t.setGrad(t.grad ? add(t.grad, g) : holders.get(g) === 1 ? g : add(g, zerosLike(g)));
          if (t.grad !== g) release(g);
          else holders.delete(g);
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
      }
    }),
  );
}

/** Tensors reachable from `root` through recorded operations, each after every tensor that uses it. */
function topologicalOrder(root: Tensor): Tensor[] {
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
