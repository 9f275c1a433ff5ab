/** Softmax and the fused mean softmax cross-entropy: values, numerical stability, gradients. */
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, type Tensor, fromArray, scale, softmax, softmaxCrossEntropy, sum } from "../src/index.js";
import { analyticGrads, expectClose, input, normalValues, numericGrads } from "./helpers.js";
import { tf, tfGrads, tfValues, useTfCpu } from "./oracle.js";

beforeAll(useTfCpu);

describe("softmax", () => {
  it("matches hand-computed values and is shift invariant (no overflow at 1000)", () => {
    expectClose(softmax(fromArray([0, Math.log(2), 5, 5], [2, 2])).dataSync(), [1 / 3, 2 / 3, 0.5, 0.5]);
    expectClose(softmax(fromArray([1000, 1001, -1000, -1001], [2, 2])).dataSync(), [
      1 / (1 + Math.E),
      Math.E / (1 + Math.E),
      Math.E / (1 + Math.E),
      1 / (1 + Math.E),
    ]);
  });

  it("matches tf.softmax", () => {
    const v = normalValues(5 * 7, new Rng(1), 3);
    const expected = tfValues(() => tf.softmax(tf.tensor2d(v, [5, 7])));
    expectClose(softmax(fromArray(v, [5, 7])).dataSync(), expected, { rtol: 1e-5, atol: 1e-7 });
  });
});

/** tfjs mean cross-entropy via logSoftmax and a one-hot mask. */
function tfCrossEntropy(logits: tf.Tensor, labels: readonly number[], k: number): tf.Tensor {
  const onehot = tf.oneHot(tf.tensor1d([...labels], "int32"), k);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
}

describe("softmaxCrossEntropy", () => {
  it("matches hand-computed values: uniform logits give ln K and (1/K - onehot) / N", () => {
    const logits = fromArray(new Array(8).fill(0), [2, 4]).requireGrad();
    const loss = softmaxCrossEntropy(logits, fromArray([1, 3]));
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo(Math.log(4), 6);
    loss.backward();
    expectClose(
      logits.grad!.dataSync(),
      [1, -3, 1, 1, 1, 1, 1, -3].map((v) => v / 8),
    );
  });

  it("is stable for large logits", () => {
    const loss = softmaxCrossEntropy(fromArray([1000, 0, -1000, 0], [2, 2]), fromArray([1, 0]));
    expect(loss.item()).toBeCloseTo((1000 + 1000) / 2, 3);
  });

  it("matches tfjs: loss and gradient (tf.grads), and finite differences", () => {
    const [n, k] = [6, 5];
    const rng = new Rng(2);
    const lv = normalValues(n * k, rng, 2);
    const labels = [0, 4, 2, 2, 1, 3];
    const expected = tfValues(() => tfCrossEntropy(tf.tensor2d(lv, [n, k]), labels, k));
    const loss = softmaxCrossEntropy(fromArray(lv, [n, k]), fromArray(labels));
    expectClose([loss.item()], expected, { rtol: 1e-5 }, "loss");

    // A non-unit incoming gradient (loss * 2.5) checks that backward scales by it.
    const f = ([x]: Tensor[]) => scale(softmaxCrossEntropy(x!, fromArray(labels)), 2.5);
    const inputs = [input([n, k], lv)];
    const ours = analyticGrads(f, inputs, [1])[0]!;
    const theirs = tfGrads(
      (x) => tf.mul(tfCrossEntropy(x!, labels, k), 2.5),
      [{ shape: [n, k], values: lv }],
      {
        shape: [],
        values: [1],
      },
    )[0]!;
    expectClose(ours, theirs, { rtol: 1e-4, atol: 1e-6 }, "vs tf.grads");
    expectClose(
      ours,
      numericGrads(f, inputs, [1], 1e-2)[0]!,
      { rtol: 1e-3, atol: 1e-4 },
      "vs finite differences",
    );
  });

  it("backpropagates through a later op: d(sum(loss) * 3)", () => {
    const logits = fromArray([1, 2, 3, 0, 0, 0], [2, 3]).requireGrad();
    sum(scale(softmaxCrossEntropy(logits, fromArray([2, 0])), 3)).backward();
    const p = [1, Math.E, Math.E ** 2].map((v) => v / (1 + Math.E + Math.E ** 2));
    const expected = [p[0]!, p[1]!, p[2]! - 1, 1 / 3 - 1, 1 / 3, 1 / 3].map((v) => (v * 3) / 2);
    expectClose(logits.grad!.dataSync(), expected, { rtol: 1e-5 });
  });
});

/** tfjs mean cross-entropy against the smoothed target (1 - e) onehot + e / K. */
function tfSmoothedCrossEntropy(
  logits: tf.Tensor,
  labels: readonly number[],
  k: number,
  e: number,
): tf.Tensor {
  const target = tf.add(tf.mul(tf.oneHot(tf.tensor1d([...labels], "int32"), k), 1 - e), e / k);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
}

describe("softmaxCrossEntropy with label smoothing", () => {
  it("matches hand-computed values: uniform logits still give ln K; the gradient is (1/K - q) / N", () => {
    const logits = fromArray(new Array(8).fill(0), [2, 4]).requireGrad();
    const loss = softmaxCrossEntropy(logits, fromArray([1, 3]), { labelSmoothing: 0.2 });
    expect(loss.item()).toBeCloseTo(Math.log(4), 6);
    loss.backward();
    // q = 0.8 onehot + 0.05: 0.85 at the label, 0.05 elsewhere.
    const [on, off] = [(0.25 - 0.85) / 2, (0.25 - 0.05) / 2];
    expectClose(logits.grad!.dataSync(), [off, on, off, off, off, off, off, on]);
  });

  it("labelSmoothing 1 is the cross-entropy against the uniform target: mean(lse - mean(logits))", () => {
    const lv = [1, 2, 3, -1, 0, 4];
    const loss = softmaxCrossEntropy(fromArray(lv, [2, 3]), fromArray([0, 2]), { labelSmoothing: 1 });
    const lse = (a: number[]) => Math.log(a.reduce((t, v) => t + Math.exp(v), 0));
    const row = (a: number[]) => lse(a) - a.reduce((t, v) => t + v, 0) / a.length;
    expect(loss.item()).toBeCloseTo((row(lv.slice(0, 3)) + row(lv.slice(3))) / 2, 5);
  });

  it("matches tfjs: loss and gradient (tf.grads), and finite differences", () => {
    const [n, k, e] = [6, 5, 0.15];
    const lv = normalValues(n * k, new Rng(3), 2);
    const labels = [0, 4, 2, 2, 1, 3];
    const expected = tfValues(() => tfSmoothedCrossEntropy(tf.tensor2d(lv, [n, k]), labels, k, e));
    const plain = softmaxCrossEntropy(fromArray(lv, [n, k]), fromArray(labels)).item();
    const loss = softmaxCrossEntropy(fromArray(lv, [n, k]), fromArray(labels), { labelSmoothing: e });
    expectClose([loss.item()], expected, { rtol: 1e-5 }, "loss");
    expect(Math.abs(loss.item() - plain)).toBeGreaterThan(1e-3);

    const f = ([x]: Tensor[]) =>
      scale(softmaxCrossEntropy(x!, fromArray(labels), { labelSmoothing: e }), 2.5);
    const inputs = [input([n, k], lv)];
    const ours = analyticGrads(f, inputs, [1])[0]!;
    const theirs = tfGrads(
      (x) => tf.mul(tfSmoothedCrossEntropy(x!, labels, k, e), 2.5),
      [{ shape: [n, k], values: lv }],
      { shape: [], values: [1] },
    )[0]!;
    expectClose(ours, theirs, { rtol: 1e-4, atol: 1e-6 }, "vs tf.grads");
    expectClose(
      ours,
      numericGrads(f, inputs, [1], 1e-2)[0]!,
      { rtol: 1e-3, atol: 1e-4 },
      "vs finite differences",
    );
  });

  it("rejects a labelSmoothing outside [0, 1], naming it", () => {
    const logits = fromArray([0, 0], [1, 2]);
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      expect(() => softmaxCrossEntropy(logits, fromArray([0]), { labelSmoothing: bad })).toThrow(
        /labelSmoothing must be in \[0, 1\], got/,
      );
    }
  });
});
