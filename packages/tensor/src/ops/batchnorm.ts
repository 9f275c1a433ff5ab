/** Batch normalisation over axis 1 (PyTorch's BatchNorm2d semantics) and its gradient. */
import { runKernel } from "../engine.js";
import { assertFinite, fmt } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { info, record, wrap } from "./record.js";

export interface BatchNormParams {
  gamma: Tensor;
  beta: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  eps: number;
  /** Running-statistics momentum; 0 leaves them untouched. */
  momentum: number;
}

/**
 * Training mode: normalises with the batch statistics (biased variance) and updates the running
 * statistics in place with the unbiased variance.
 */
export function batchNormTrain(x: Tensor, p: BatchNormParams): Tensor {
  check("batchNormTrain", x, p);
  assertFinite("batchNormTrain", "momentum", p.momentum, 0, 1);
  const perChannel = x.size / x.shape[1]!;
  if (perChannel < 2) {
    throw new Error(
      `batchNormTrain: expected more than 1 value per channel when training, got input ${fmt(x.shape)}`,
    );
  }
  const { y, mean, variance } = runKernel(
    "BatchNormTrain",
    {
      x: info("batchNorm", x),
      gamma: info("batchNorm", p.gamma),
      beta: info("batchNorm", p.beta),
      runningMean: info("batchNorm", p.runningMean),
      runningVar: info("batchNorm", p.runningVar),
    },
    { eps: p.eps, momentum: p.momentum },
  );
  const meanT = wrap(mean);
  const varT = wrap(variance);
  return record(y, "batchNormTrain", [x, p.gamma, p.beta], [x, p.gamma, meanT, varT], (dy) =>
    grads(dy, x, p.gamma, meanT, varT, p.eps, true),
  );
}

/** Evaluation mode: normalises with the running statistics. */
export function batchNormInfer(x: Tensor, p: Omit<BatchNormParams, "momentum">): Tensor {
  check("batchNormInfer", x, { ...p, momentum: 0 });
  const out = runKernel(
    "BatchNormInfer",
    {
      x: info("batchNorm", x),
      gamma: info("batchNorm", p.gamma),
      beta: info("batchNorm", p.beta),
      mean: info("batchNorm", p.runningMean),
      variance: info("batchNorm", p.runningVar),
    },
    { eps: p.eps },
  );
  const saved = [x, p.gamma, p.runningMean, p.runningVar];
  return record(out, "batchNormInfer", [x, p.gamma, p.beta], saved, (dy) =>
    grads(dy, x, p.gamma, p.runningMean, p.runningVar, p.eps, false),
  );
}

function grads(
  dy: Tensor,
  x: Tensor,
  gamma: Tensor,
  mean: Tensor,
  variance: Tensor,
  eps: number,
  training: boolean,
): Tensor[] {
  const out = runKernel(
    "BatchNormGrad",
    {
      dy: info("batchNorm", dy),
      x: info("batchNorm", x),
      gamma: info("batchNorm", gamma),
      mean: info("batchNorm", mean),
      variance: info("batchNorm", variance),
    },
    { eps, training },
  );
  return [wrap(out.dx), wrap(out.dgamma), wrap(out.dbeta)];
}

function check(op: string, x: Tensor, p: BatchNormParams): void {
  if (x.rank !== 4 && x.rank !== 2)
    throw new Error(`${op}: expected input [N,C,H,W] or [N,C], got ${fmt(x.shape)}`);
  const c = x.shape[1]!;
  for (const [name, t] of Object.entries({
    weight: p.gamma,
    bias: p.beta,
    running_mean: p.runningMean,
    running_var: p.runningVar,
  })) {
    if (t.rank !== 1 || t.shape[0] !== c) {
      throw new Error(`${op}: ${name} must have shape [${c}] for input ${fmt(x.shape)}, got ${fmt(t.shape)}`);
    }
  }
  assertFinite(op, "eps", p.eps, Number.MIN_VALUE);
}
