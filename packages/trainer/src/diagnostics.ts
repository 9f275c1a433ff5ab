/**
 * Training diagnostics as plain functions over a model, for a training loop or a comparison to call every
 * few steps: the L2 norm of the gradients (after `backward()`), per top-level stage or per parameter, and
 * the mean / standard deviation / fraction of zeros of each top-level stage's output on a batch.
 */
import type { Module, Sequential } from "@resnet-ts/layers";
import { noGrad, type Tensor, tidy } from "@resnet-ts/tensor";

export interface GradientNorm {
  /** The stage (top-level child name, e.g. "1") or the parameter's state-dict key. */
  name: string;
  /** sqrt(sum of squared gradient values) over the group. */
  norm: number;
  /** Gradient values in the group (parameters without a gradient, e.g. unused ones, are left out). */
  values: number;
}

export interface GradientNormOptions {
  /** "stage" (the default): one norm per top-level child; "parameter": one per parameter. */
  groupBy?: "stage" | "parameter";
}

/** The L2 norms of the current `.grad`s, in parameter order; groups without any gradient are left out. */
export function gradientNorms(
  model: Module,
  { groupBy = "stage" }: GradientNormOptions = {},
): GradientNorm[] {
  if (groupBy !== "stage" && groupBy !== "parameter") {
    throw new Error(`gradientNorms: groupBy must be "stage" or "parameter", got ${JSON.stringify(groupBy)}`);
  }
  const groups = new Map<string, { squares: number; values: number }>();
  for (const [name, p] of model.namedParameters()) {
    if (!p.grad) continue;
    const key = groupBy === "stage" ? name.split(".")[0]! : name;
    const group = groups.get(key) ?? { squares: 0, values: 0 };
    for (const g of p.grad.dataSync()) group.squares += g * g;
    group.values += p.grad.size;
    groups.set(key, group);
  }
  return [...groups].map(([name, { squares, values }]) => ({ name, norm: Math.sqrt(squares), values }));
}

export interface ActivationStat {
  /** The top-level child's name ("0", "1", ...). */
  name: string;
  shape: number[];
  mean: number;
  /** Population standard deviation over every value of the output. */
  std: number;
  /** Fraction of values exactly 0 (dead ReLU outputs). */
  zeroFraction: number;
}

export interface ActivationStatsOptions {
  /**
   * "eval" (the default): BatchNorm uses its running statistics. "train": batch statistics, as a training
   * step sees them; the running statistics and batch counts are restored afterwards, so nothing changes.
   */
  mode?: "eval" | "train";
}

/**
 * Runs `x` through the model's top-level children in order (a Sequential's forward), without gradients,
 * and describes each child's output. The model's training flags are restored afterwards.
 */
export function activationStats(
  model: Sequential,
  x: Tensor,
  { mode = "eval" }: ActivationStatsOptions = {},
): ActivationStat[] {
  if (mode !== "eval" && mode !== "train") {
    throw new Error(`activationStats: mode must be "eval" or "train", got ${JSON.stringify(mode)}`);
  }
  const flags = model.namedModules().map(([, m]) => [m, m.training] as const);
  const saved = mode === "train" ? model.stateDict() : null;
  model.train(mode === "train");
  try {
    return noGrad(() =>
      tidy(() => {
        const stats: ActivationStat[] = [];
        let y = x;
        for (const [name, child] of model.namedChildren()) {
          y = child.forward(y);
          stats.push({ name, shape: [...y.shape], ...describe(y.dataSync()) });
        }
        return stats;
      }),
    );
  } finally {
    for (const [m, training] of flags) m.training = training;
    if (saved) model.loadStateDict(saved);
  }
}

function describe(values: Float32Array): { mean: number; std: number; zeroFraction: number } {
  let sum = 0;
  let zeros = 0;
  for (const v of values) {
    sum += v;
    if (v === 0) zeros++;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / values.length), zeroFraction: zeros / values.length };
}
