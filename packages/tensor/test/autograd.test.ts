/** Autograd and memory: shared subexpressions, accumulation, noGrad, tidy/keep, reshape's shared storage. */
import { describe, expect, it } from "vitest";
import {
  add,
  conv2d,
  fromArray,
  getBackend,
  keep,
  matmul,
  mul,
  noGrad,
  relu,
  reshape,
  Rng,
  randn,
  scalar,
  softmaxCrossEntropy,
  sum,
  tidy,
  flatten,
  biasAdd,
  batchNormTrain,
  ones,
  zeros,
  maxPool2d,
  adaptiveAvgPool2d,
} from "../src/index.js";
import { expectClose } from "./helpers.js";

const values = (t: { dataSync(): Float32Array }) => Array.from(t.dataSync());
const buffers = () => getBackend().memory().buffers;

describe("backward", () => {
  it("sums the gradients of a tensor used twice: x * x and x + x", () => {
    const x = fromArray([1, -2, 3]).requireGrad();
    sum(mul(x, x)).backward();
    expect(values(x.grad!)).toEqual([2, -4, 6]);
    x.zeroGrad();
    sum(add(x, x)).backward();
    expect(values(x.grad!)).toEqual([2, 2, 2]);
  });

  it("handles shared subexpressions: l = sum(z * z + z), z = x * y", () => {
    const x = fromArray([1, 2, -1]).requireGrad();
    const y = fromArray([3, -1, 0.5]).requireGrad();
    const z = mul(x, y);
    sum(add(mul(z, z), z)).backward();
    const zv = [3, -2, -0.5];
    expectClose(
      x.grad!.dataSync(),
      zv.map((v, i) => (2 * v + 1) * [3, -1, 0.5][i]!),
    );
    expectClose(
      y.grad!.dataSync(),
      zv.map((v, i) => (2 * v + 1) * [1, 2, -1][i]!),
    );
  });

  it("backpropagates from a scalar leaf to itself", () => {
    const s = scalar(4).requireGrad();
    s.backward();
    expect(values(s.grad!)).toEqual([1]);
  });

  it("accumulates across backward calls until zeroGrad", () => {
    const x = fromArray([1, 2]).requireGrad();
    const loss = () => sum(mul(x, fromArray([3, 4])));
    loss().backward();
    loss().backward();
    expect(values(x.grad!)).toEqual([6, 8]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    loss().backward();
    expect(values(x.grad!)).toEqual([3, 4]);
  });

  it("gives gradients only to tensors that require them", () => {
    const x = fromArray([1, 2]).requireGrad();
    const c = fromArray([5, 6]);
    sum(mul(x, c)).backward();
    expect(c.grad).toBeNull();
    expect(values(x.grad!)).toEqual([5, 6]);
  });

  it("rejects a non-scalar root, naming its shape", () => {
    const x = fromArray([1, 2, 3, 4], [2, 2]).requireGrad();
    expect(() => mul(x, x).backward()).toThrow(/backward: expected a scalar .*got shape \[2,2\]/);
  });

  it("rejects a root that does not require grad", () => {
    expect(() => sum(fromArray([1, 2])).backward()).toThrow(/backward: .*does not require grad/);
  });

  it("rejects a second backward through the same graph (it is consumed, as in PyTorch)", () => {
    const x = fromArray([1, 2]).requireGrad();
    const loss = sum(mul(x, x));
    loss.backward();
    expect(() => loss.backward()).toThrow(/backward: .*already/);
    const y = mul(x, x);
    sum(y).backward();
    expect(() => sum(y).backward()).toThrow(/backward: .*already/);
    expect(values(x.grad!)).toEqual([4, 8]);
  });

  it("rejects a graph whose intermediates were disposed (e.g. by tidy) instead of skipping them", () => {
    const x = fromArray([1, 2]).requireGrad();
    const loss = tidy(() => sum(relu(mul(x, x))));
    expect(() => loss.backward()).toThrow(/backward: .*disposed/);
    expect(x.grad).toBeNull();
  });

  it("gives leaves gradients with storage of their own, even when a gradient passes through unchanged", () => {
    for (const reshapedFirst of [true, false]) {
      const x = fromArray([1, 2, 3, 4], [2, 2]).requireGrad();
      const y = fromArray([1, 1, 1, 1], [4]).requireGrad();
      const r = reshape(x, [4]);
      sum(reshapedFirst ? add(r, y) : add(y, r)).backward();
      x.grad!.assign(Float32Array.of(9, 9, 9, 9));
      expect(values(y.grad!)).toEqual([1, 1, 1, 1]);
      expect(x.grad!.shape).toEqual([2, 2]);
    }
  });
});

describe("noGrad", () => {
  it("records nothing inside and restores the mode afterwards, also after a throw", () => {
    const x = fromArray([1, 2]).requireGrad();
    const y = noGrad(() => mul(x, x));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(mul(x, x).requiresGrad).toBe(true);
  });
});

describe("tidy and keep", () => {
  it("frees every intermediate of a forward and backward pass; only the gradients remain", () => {
    const rng = new Rng(1);
    const w = randn([4, 2, 3, 3], rng).requireGrad();
    const b = zeros([4]).requireGrad();
    const gamma = ones([4]).requireGrad();
    const beta = zeros([4]).requireGrad();
    const fc = randn([4, 3], rng).requireGrad();
    const stats = { runningMean: zeros([4]), runningVar: ones([4]) };
    const x = randn([2, 2, 6, 6], rng);
    const labels = fromArray([0, 2]);
    const start = buffers();
    const loss = tidy(() => {
      let h = conv2d(x, w, b, { padding: 1 });
      h = relu(batchNormTrain(h, { gamma, beta, ...stats, eps: 1e-5, momentum: 0.1 }));
      h = flatten(adaptiveAvgPool2d(maxPool2d(h, 3, { stride: 2, padding: 1 }), 1));
      const l = softmaxCrossEntropy(matmul(h, fc), labels);
      l.backward();
      return l.item();
    });
    expect(Number.isFinite(loss)).toBe(true);
    const params = [w, b, gamma, beta, fc];
    expect(buffers()).toBe(start + params.length);
    for (const p of params) p.zeroGrad();
    expect(buffers()).toBe(start);
  });

  it("keeps returned tensors and kept tensors, moving returned ones to the enclosing scope", () => {
    const start = buffers();
    let kept = scalar(0);
    const outer = tidy(() => {
      const inner = tidy(() => {
        const a = fromArray([1, 2]);
        kept = keep(mul(a, a));
        return { result: add(a, a), n: 3 };
      });
      expect(buffers()).toBe(start + 3); // a is freed, kept + result remain (+ the scalar)
      return inner.result;
    });
    expect(values(outer)).toEqual([2, 4]);
    expect(values(kept)).toEqual([1, 4]);
    expect(buffers()).toBe(start + 3);
    outer.dispose();
    kept.dispose();
  });

  it("frees the scope's tensors when the function throws", () => {
    const start = buffers();
    expect(() =>
      tidy(() => {
        fromArray([1, 2, 3]);
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(buffers()).toBe(start);
  });

  it("rejects an async function", () => {
    expect(() => tidy((async () => fromArray([1])) as unknown as () => undefined)).toThrow(/tidy: .*Promise/);
  });
});

describe("reshape", () => {
  it("shares storage: no new buffer, writes are visible through both, freed with the last one", () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    const start = buffers();
    const y = reshape(x, [3, -1]);
    expect(y.shape).toEqual([3, 2]);
    expect(buffers()).toBe(start);
    x.assign(Float32Array.of(6, 5, 4, 3, 2, 1));
    expect(values(y)).toEqual([6, 5, 4, 3, 2, 1]);
    x.dispose();
    expect(buffers()).toBe(start);
    expect(values(y)).toEqual([6, 5, 4, 3, 2, 1]);
    y.dispose();
    expect(buffers()).toBe(start - 1);
  });

  it("reshapes the gradient back to the input's shape", () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3]).requireGrad();
    const w = fromArray([1, 0, 2, 1, 3, 0], [3, 2]);
    sum(mul(reshape(x, [3, 2]), w)).backward();
    expect(x.grad!.shape).toEqual([2, 3]);
    expect(values(x.grad!)).toEqual([1, 0, 2, 1, 3, 0]);
    const z = fromArray([1, 2, 3, 4], [1, 4]).requireGrad();
    sum(biasAdd(flatten(reshape(z, [1, 2, 2])), fromArray([1, 1, 1, 1]))).backward();
    expect(z.grad!.shape).toEqual([1, 4]);
  });
});
