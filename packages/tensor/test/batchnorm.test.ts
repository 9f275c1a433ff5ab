/**
 * Batch norm (PyTorch's BatchNorm2d semantics): training and inference forward against hand-computed
 * values and tf.moments formulas, the running-statistics update, and gradients.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  Rng,
  type Tensor,
  batchNormInfer,
  batchNormTrain,
  fromArray,
  full,
  runKernel,
} from "../src/index.js";
import { analyticGrads, expectClose, input, normalValues, numericGrads } from "./helpers.js";
import { tf, tfGrads, tfValues, useTfCpu } from "./oracle.js";

beforeAll(useTfCpu);

const eps = 1e-5;
const info = (t: Tensor) => ({ dataId: t.dataId, shape: t.shape });

/** tfjs batch norm over axis 1 with the given statistics (batch ones when `stats` is absent). */
function tfBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  stats?: { mean: tf.Tensor; variance: tf.Tensor },
): tf.Tensor {
  const axes = x.rank === 4 ? [0, 2, 3] : [0];
  const perChannel = x.rank === 4 ? [1, -1, 1, 1] : [1, -1];
  const { mean, variance } = stats
    ? { mean: stats.mean.reshape(perChannel), variance: stats.variance.reshape(perChannel) }
    : tf.moments(x, axes, true);
  return x
    .sub(mean)
    .div(variance.add(eps).sqrt())
    .mul(gamma.reshape(perChannel))
    .add(beta.reshape(perChannel));
}

function params(c: number, rng: Rng) {
  return {
    gamma: Float32Array.from({ length: c }, () => 1 + 0.5 * rng.normal()),
    beta: normalValues(c, rng),
    mean: normalValues(c, rng, 0.3),
    variance: Float32Array.from({ length: c }, () => 0.5 + rng.next()),
  };
}

describe("batchNormTrain forward", () => {
  it("matches hand-computed values and updates the running statistics (unbiased variance, momentum 0.1)", () => {
    const x = fromArray([1, 2, 3, 4], [2, 1, 1, 2]);
    const runningMean = fromArray([0]);
    const runningVar = fromArray([1]);
    const y = batchNormTrain(x, {
      gamma: fromArray([2]),
      beta: fromArray([0.5]),
      runningMean,
      runningVar,
      eps,
      momentum: 0.1,
    });
    const s = Math.sqrt(1.25 + eps);
    expectClose(
      y.dataSync(),
      [-1.5, -0.5, 0.5, 1.5].map((d) => (d / s) * 2 + 0.5),
    );
    expectClose(runningMean.dataSync(), [0.25]);
    expectClose(runningVar.dataSync(), [0.9 * 1 + 0.1 * (5 / 3)]);
  });

  for (const shape of [
    [3, 4, 5, 6],
    [1, 3, 4, 4],
    [6, 5],
  ]) {
    it(`matches tf.moments formulas for [${shape}], kernel statistics and running update`, () => {
      const rng = new Rng(shape.length * 10 + shape[0]!);
      const c = shape[1]!;
      const xv = normalValues(
        shape.reduce((a, b) => a * b),
        rng,
        2,
      ).map((v) => v + 3);
      const p = params(c, rng);
      const x = fromArray(xv, shape);
      const gamma = fromArray(p.gamma);
      const beta = fromArray(p.beta);
      const runningMean = fromArray(p.mean);
      const runningVar = fromArray(p.variance);
      const momentum = 0.25;
      const out = runKernel(
        "BatchNormTrain",
        {
          x: info(x),
          gamma: info(gamma),
          beta: info(beta),
          runningMean: info(runningMean),
          runningVar: info(runningVar),
        },
        { eps, momentum },
      );
      const backend = x.backend;
      const axes = shape.length === 4 ? [0, 2, 3] : [0];
      const count = shape.reduce((a, b) => a * b) / c;
      const expected = tf.tidy(() => {
        const xt = tf.tensor(xv, shape);
        const m = tf.moments(xt, axes);
        const y = tfBatchNorm(xt, tf.tensor1d(p.gamma), tf.tensor1d(p.beta));
        return { y: y.dataSync(), mean: m.mean.dataSync(), variance: m.variance.dataSync() };
      });
      expectClose(backend.readSync(out.y.dataId), expected.y, { rtol: 1e-4, atol: 1e-5 }, "y");
      expectClose(backend.readSync(out.mean.dataId), expected.mean, { rtol: 1e-5 }, "mean");
      expectClose(
        backend.readSync(out.variance.dataId),
        expected.variance,
        { rtol: 1e-4 },
        "biased variance",
      );
      expect(out.y.shape).toEqual(shape);
      expect(out.mean.shape).toEqual([c]);
      expectClose(
        runningMean.dataSync(),
        p.mean.map((r, i) => (1 - momentum) * r + momentum * expected.mean[i]!),
        { rtol: 1e-5 },
        "running mean",
      );
      expectClose(
        runningVar.dataSync(),
        p.variance.map(
          (r, i) => (1 - momentum) * r + momentum * ((expected.variance[i]! * count) / (count - 1)),
        ),
        { rtol: 1e-4 },
        "running var",
      );
    });
  }

  it("leaves the running statistics alone with momentum 0", () => {
    const runningMean = fromArray([0.5, -1]);
    const runningVar = fromArray([2, 3]);
    batchNormTrain(fromArray(normalValues(16, new Rng(5)), [2, 2, 2, 2]), {
      gamma: full([2], 1),
      beta: full([2], 0),
      runningMean,
      runningVar,
      eps,
      momentum: 0,
    });
    expect(Array.from(runningMean.dataSync())).toEqual([0.5, -1]);
    expect(Array.from(runningVar.dataSync())).toEqual([2, 3]);
  });
});

describe("batchNormInfer forward", () => {
  it("matches hand-computed values", () => {
    const y = batchNormInfer(fromArray([1, 2, 3, 4], [1, 2, 2, 1]), {
      gamma: fromArray([1, 2]),
      beta: fromArray([0, 1]),
      runningMean: fromArray([1, 3]),
      runningVar: fromArray([4, 0.25]),
      eps: 0.75,
    });
    // channel 0: (x - 1) / sqrt(4.75); channel 1: (x - 3) / 1 * 2 + 1
    expectClose(y.dataSync(), [0, 1 / Math.sqrt(4.75), 1, 3]);
  });

  it("matches the tfjs formula with the running statistics, [N,C,H,W] and [N,C]", () => {
    for (const shape of [
      [2, 3, 4, 5],
      [4, 3],
    ]) {
      const rng = new Rng(7);
      const xv = normalValues(
        shape.reduce((a, b) => a * b),
        rng,
      );
      const p = params(3, rng);
      const y = batchNormInfer(fromArray(xv, shape), {
        gamma: fromArray(p.gamma),
        beta: fromArray(p.beta),
        runningMean: fromArray(p.mean),
        runningVar: fromArray(p.variance),
        eps,
      });
      const expected = tfValues(() =>
        tfBatchNorm(tf.tensor(xv, shape), tf.tensor1d(p.gamma), tf.tensor1d(p.beta), {
          mean: tf.tensor1d(p.mean),
          variance: tf.tensor1d(p.variance),
        }),
      );
      expectClose(y.dataSync(), expected, { rtol: 1e-5, atol: 1e-6 }, `shape [${shape}]`);
    }
  });
});

describe("batch norm gradients", () => {
  const shapes = [
    [2, 3, 3, 4],
    [5, 2],
  ];
  for (const training of [true, false]) {
    for (const shape of shapes) {
      const mode = training ? "training" : "inference";
      const setup = () => {
        const rng = new Rng(shape.length + (training ? 20 : 30));
        const c = shape[1]!;
        const xv = normalValues(
          shape.reduce((a, b) => a * b),
          rng,
        );
        const p = params(c, rng);
        const f = ([x, gamma, beta]: Tensor[]) => {
          const stats = { runningMean: fromArray(p.mean), runningVar: fromArray(p.variance), eps };
          return training
            ? batchNormTrain(x!, { gamma: gamma!, beta: beta!, ...stats, momentum: 0.1 })
            : batchNormInfer(x!, { gamma: gamma!, beta: beta!, ...stats });
        };
        const inputs = [input(shape, xv), input([c], p.gamma), input([c], p.beta)];
        const dy = normalValues(xv.length, rng);
        return { xv, p, f, inputs, dy };
      };

      it(`${mode} [${shape}]: match tf.grads of the formula`, () => {
        const { xv, p, f, inputs, dy } = setup();
        const ours = analyticGrads(f, inputs, dy);
        const stats = training ? undefined : { mean: p.mean, variance: p.variance };
        const theirs = tfGrads(
          (x, g, b) =>
            tfBatchNorm(
              x!,
              g!,
              b!,
              stats && { mean: tf.tensor1d(stats.mean), variance: tf.tensor1d(stats.variance) },
            ),
          [
            { shape, values: xv },
            { shape: [shape[1]!], values: p.gamma },
            { shape: [shape[1]!], values: p.beta },
          ],
          { shape, values: dy },
        );
        const tol = { rtol: 1e-3, atol: 1e-4 };
        expectClose(ours[0]!, theirs[0]!, tol, "dx");
        expectClose(ours[1]!, theirs[1]!, tol, "dgamma");
        expectClose(ours[2]!, theirs[2]!, tol, "dbeta");
      });

      it(`${mode} [${shape}]: match central finite differences`, () => {
        const { f, inputs, dy } = setup();
        const ours = analyticGrads(f, inputs, dy);
        const numeric = numericGrads(f, inputs, dy, 1e-2);
        for (const [k, g] of ours.entries())
          expectClose(g, numeric[k]!, { rtol: 2e-3, atol: 2e-3 }, `input ${k}`);
      });
    }
  }
});
