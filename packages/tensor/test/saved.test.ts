/**
 * tidyForward and the saved tensors of recorded operations: a forward pass keeps only what backward reads,
 * backward frees that as it goes, and the gradients are bit-identical to those of a pass that keeps everything.
 */
import { describe, expect, it } from "vitest";
import {
  adaptiveAvgPool2d,
  add,
  batchNormInfer,
  batchNormTrain,
  biasAdd,
  channelSum,
  conv2d,
  flatten,
  fromArray,
  getBackend,
  keep,
  matmul,
  maxPool2d,
  mean,
  mul,
  noGrad,
  ones,
  relu,
  reshape,
  Rng,
  randn,
  scale,
  softmaxCrossEntropy,
  sub,
  sum,
  type Tensor,
  tidy,
  tidyForward,
} from "../src/index.js";

const buffers = () => getBackend().memory().buffers;
const rng = new Rng(7);
const leaf = (shape: number[]) => randn(shape, rng).requireGrad();

/** Each differentiable op applied to fresh intermediates (so that tidyForward may free them), with its leaves. */
const OPS: { name: string; leaves: Tensor[]; apply: (xs: Tensor[]) => Tensor }[] = [
  { name: "add", leaves: [leaf([2, 3]), leaf([2, 3])], apply: ([a, b]) => add(a!, b!) },
  { name: "sub", leaves: [leaf([2, 3]), leaf([2, 3])], apply: ([a, b]) => sub(a!, b!) },
  { name: "mul", leaves: [leaf([2, 3]), leaf([2, 3])], apply: ([a, b]) => mul(a!, b!) },
  { name: "scale", leaves: [leaf([4])], apply: ([a]) => scale(a!, -3) },
  { name: "relu", leaves: [leaf([2, 5])], apply: ([a]) => relu(a!) },
  { name: "matmul", leaves: [leaf([2, 3]), leaf([3, 4])], apply: ([a, b]) => matmul(a!, b!) },
  {
    name: "matmul (both transposed)",
    leaves: [leaf([3, 2]), leaf([4, 3])],
    apply: ([a, b]) => matmul(a!, b!, { transposeA: true, transposeB: true }),
  },
  { name: "biasAdd", leaves: [leaf([2, 3, 2]), leaf([3])], apply: ([a, b]) => biasAdd(a!, b!) },
  { name: "channelSum", leaves: [leaf([2, 3, 2])], apply: ([a]) => channelSum(a!) },
  { name: "sum", leaves: [leaf([2, 3])], apply: ([a]) => sum(a!) },
  { name: "mean", leaves: [leaf([2, 3])], apply: ([a]) => mean(a!) },
  { name: "reshape, flatten", leaves: [leaf([2, 3, 2])], apply: ([a]) => flatten(reshape(a!, [2, 6, 1])) },
  {
    name: "maxPool2d",
    leaves: [leaf([1, 2, 5, 5])],
    apply: ([a]) => maxPool2d(a!, 3, { stride: 2, padding: 1 }),
  },
  { name: "adaptiveAvgPool2d", leaves: [leaf([1, 2, 4, 4])], apply: ([a]) => adaptiveAvgPool2d(a!, 2) },
  {
    name: "conv2d",
    leaves: [leaf([1, 2, 5, 5]), leaf([3, 2, 3, 3]), leaf([3])],
    apply: ([x, w, b]) => conv2d(x!, w!, b!, { padding: 1, stride: 2 }),
  },
  {
    name: "batchNormTrain",
    leaves: [leaf([3, 2, 2, 2]), leaf([2]), leaf([2])],
    apply: ([x, gamma, beta]) =>
      batchNormTrain(x!, { gamma: gamma!, beta: beta!, ...stats(), eps: 1e-5, momentum: 0.1 }),
  },
  {
    name: "batchNormInfer",
    leaves: [leaf([3, 2, 2, 2]), leaf([2]), leaf([2])],
    apply: ([x, gamma, beta]) => batchNormInfer(x!, { gamma: gamma!, beta: beta!, ...stats(), eps: 1e-5 }),
  },
  {
    name: "softmaxCrossEntropy",
    leaves: [leaf([3, 4])],
    apply: ([a]) => softmaxCrossEntropy(a!, fromArray([0, 3, 1])),
  },
];

function stats() {
  return { runningMean: fromArray([0.5, -1]), runningVar: fromArray([2, 0.5]) };
}

/** sum(op(leaves * 1) * weights): every tensor between the leaves and the loss is an intermediate. */
function loss(op: (typeof OPS)[number], scoped: boolean): Tensor {
  const forward = () => {
    const y = op.apply(op.leaves.map((l) => scale(l, 1)));
    const weights = fromArray(
      Array.from({ length: y.size }, (_, i) => (i % 3) - 0.7),
      y.shape,
    );
    return sum(mul(y, weights));
  };
  return scoped ? tidyForward(forward) : forward();
}

function gradients(op: (typeof OPS)[number], scoped: boolean): Float32Array[] {
  return tidy(() => {
    loss(op, scoped).backward();
    const grads = op.leaves.map((l) => l.grad!.dataSync());
    for (const l of op.leaves) l.zeroGrad();
    return grads;
  });
}

describe("tidyForward", () => {
  it.each(OPS)("keeps what $name's backward reads: the same gradients as keeping everything", (op) => {
    const start = buffers();
    const kept = gradients(op, false);
    expect(gradients(op, true)).toEqual(kept);
    expect(buffers()).toBe(start);
  });

  it("frees intermediates backward does not read, and the saved ones as backward uses them", () => {
    const x = leaf([2, 3]);
    const start = buffers();
    let unread: Tensor | null = null;
    let saved: Tensor | null = null;
    const l = tidyForward(() => {
      unread = scale(x, 2); // add does not read its inputs
      saved = relu(add(unread, x)); // relu reads its output
      return sum(mul(saved, saved));
    });
    expect(unread!.isReleased).toBe(true);
    expect(() => unread!.dataSync()).toThrow(/storage was freed.*keep\(\)/);
    expect(saved!.isReleased).toBe(false);
    // The add, relu and mul nodes' storage: only relu's output (read by relu and mul) and the loss remain.
    expect(buffers()).toBe(start + 2);
    l.backward();
    expect(saved!.isReleased).toBe(true);
    expect(buffers()).toBe(start + 2); // the loss and x's gradient
    l.dispose();
    x.zeroGrad();
    expect(buffers()).toBe(start);
  });

  it("leaves kept tensors alone, and an enclosing tidy frees the saved ones when backward never runs", () => {
    const x = leaf([4]);
    const start = buffers();
    let kept: Tensor | null = null;
    tidy(() => {
      tidyForward(() => {
        kept = keep(scale(x, 3));
        return sum(mul(relu(kept), x));
      });
      expect(buffers()).toBe(start + 3); // kept, relu's output (read by relu and mul) and the sum
    });
    expect(buffers()).toBe(start + 1);
    expect(Array.from(kept!.dataSync())).toEqual(Array.from(x.dataSync(), (v) => Math.fround(v * 3)));
    kept!.dispose();
    expect(buffers()).toBe(start);
  });

  it("without gradients frees every intermediate at once", () => {
    const x = leaf([2, 2]);
    const start = buffers();
    const y = noGrad(() => tidyForward(() => relu(add(scale(x, 2), ones([2, 2])))));
    expect(buffers()).toBe(start + 1);
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(x.dataSync(), (v) => Math.max(0, Math.fround(2 * v) + 1)).map(Math.fround),
    );
    y.dispose();
  });

  it("still rejects a second backward through a graph whose storage it freed", () => {
    const x = leaf([3]);
    const l = tidyForward(() => sum(relu(scale(x, 2))));
    l.backward();
    expect(() => l.backward()).toThrow(/backward: .*already backpropagated/);
    l.dispose();
    x.zeroGrad();
  });
});
