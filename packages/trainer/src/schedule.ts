/**
 * Learning-rate schedules as pure functions of the training position, matching PyTorch's schedulers:
 * - `constant`: the base rate throughout.
 * - `step`: `torch.optim.lr_scheduler.StepLR(step_size, gamma)` stepped once per epoch:
 *   lr = base * gamma ^ floor(epoch / stepSize).
 * - `cosine`: `CosineAnnealingLR(T_max = totalSteps, eta_min)` stepped once per optimizer step, in its
 *   closed form: lr = etaMin + (base - etaMin) * (1 + cos(pi * step / totalSteps)) / 2.
 * - `onecycle`: `OneCycleLR(max_lr = base, total_steps, pct_start, anneal_strategy="cos", div_factor,
 *   final_div_factor, three_phase=False)` stepped once per optimizer step: cosine from base / divFactor up
 *   to base over the first pctStart of the steps, then cosine down to base / (divFactor * finalDivFactor)
 *   at the last step. Differences: the momentum is not cycled (PyTorch's `cycle_momentum=False`; the
 *   optimizer keeps the configured momentum), and a phase shorter than one step (PyTorch divides by
 *   zero there) takes its end rate.
 *
 * Warm-up (`warmupEpochs` > 0) composes with constant, step and cosine (the config rejects it with
 * onecycle, which warms up itself) as PyTorch's
 * `SequentialLR([LinearLR(start_factor=warmupStartFactor, total_iters=warmupSteps), main],
 * milestones=[warmupSteps])` stepped per optimizer step: the rate rises linearly from
 * base * warmupStartFactor to base over the warm-up steps, then the main schedule starts from its own
 * beginning, planned over the steps that remain (its epoch counter, for `step`, counts whole epochs of
 * steps since the warm-up ended; with a warm-up of whole epochs that is PyTorch's per-epoch StepLR).
 */

export const SCHEDULE_NAMES = ["constant", "step", "cosine", "onecycle"] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

export interface ScheduleOptions {
  schedule: ScheduleName;
  /** The base learning rate (`onecycle`: the peak, PyTorch's max_lr). */
  lr: number;
  /** `step`: epochs between decays. */
  stepSize?: number;
  /** `step`: the decay factor. */
  gamma?: number;
  /** `cosine`: the final learning rate. */
  etaMin?: number;
  /** `onecycle`: the fraction of the steps spent rising (default 0.3). */
  pctStart?: number;
  /** `onecycle`: the first rate is lr / divFactor (default 25). */
  divFactor?: number;
  /** `onecycle`: the last rate is lr / (divFactor * finalDivFactor) (default 1e4). */
  finalDivFactor?: number;
  /** Warm-up length in epochs (may be fractional; rounded to whole steps; default 0). */
  warmupEpochs?: number;
  /** The warm-up's first rate as a fraction of lr (PyTorch's LinearLR start_factor; default 1/3). */
  warmupStartFactor?: number;
}

/** Where training stands when the rate is needed: 0-based epoch and optimizer step, and the planned total. */
export interface SchedulePosition {
  epoch: number;
  step: number;
  totalSteps: number;
  /** Optimizer steps per epoch (needed by the warm-up and by `step` after it; default: none). */
  stepsPerEpoch?: number;
}

export function stepLr(baseLr: number, epoch: number, stepSize: number, gamma: number): number {
  if (!Number.isInteger(stepSize) || stepSize < 1) {
    throw new Error(`stepLr: stepSize must be an integer >= 1 (epochs), got ${stepSize}`);
  }
  return baseLr * gamma ** Math.floor(epoch / stepSize);
}

export function cosineLr(baseLr: number, step: number, totalSteps: number, etaMin: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new Error(`cosineLr: totalSteps must be an integer >= 1, got ${totalSteps}`);
  }
  return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;
}

/** PyTorch's `_annealing_cos`: from `start` (pct 0) to `end` (pct 1) along half a cosine. */
const annealCos = (start: number, end: number, pct: number) =>
  end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);

export function oneCycleLr(
  maxLr: number,
  step: number,
  totalSteps: number,
  pctStart = 0.3,
  divFactor = 25,
  finalDivFactor = 1e4,
): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new Error(`oneCycleLr: totalSteps must be an integer >= 1, got ${totalSteps}`);
  }
  const initial = maxLr / divFactor;
  const min = initial / finalDivFactor;
  // PyTorch's phase ends: step pct_start * total - 1 (float), then total - 1.
  const rampEnd = pctStart * totalSteps - 1;
  const last = totalSteps - 1;
  if (step <= rampEnd) return rampEnd > 0 ? annealCos(initial, maxLr, step / rampEnd) : maxLr;
  const length = last - rampEnd;
  return length > 0 ? annealCos(maxLr, min, Math.min(1, (step - rampEnd) / length)) : min;
}

/** The steps the warm-up takes: warmupEpochs x stepsPerEpoch, rounded, at most the run's steps. */
export function warmupSteps(options: ScheduleOptions, position: SchedulePosition): number {
  const epochs = options.warmupEpochs ?? 0;
  if (epochs <= 0) return 0;
  const perEpoch = position.stepsPerEpoch;
  if (perEpoch === undefined || !Number.isInteger(perEpoch) || perEpoch < 1) {
    throw new Error(`learningRate: a warm-up needs stepsPerEpoch (an integer >= 1), got ${perEpoch}`);
  }
  return Math.min(Math.round(epochs * perEpoch), position.totalSteps);
}

/** The main schedule's rate at `position` (no warm-up). */
function mainLr(options: ScheduleOptions, position: SchedulePosition): number {
  const { schedule, lr } = options;
  switch (schedule) {
    case "constant":
      return lr;
    case "step":
      return stepLr(lr, position.epoch, options.stepSize ?? 1, options.gamma ?? 0.1);
    case "cosine":
      return cosineLr(lr, position.step, position.totalSteps, options.etaMin ?? 0);
    case "onecycle":
      return oneCycleLr(
        lr,
        position.step,
        position.totalSteps,
        options.pctStart,
        options.divFactor,
        options.finalDivFactor,
      );
    default:
      throw new Error(`learningRate: unknown schedule '${String(schedule satisfies never)}'`);
  }
}

/** The learning rate for the optimizer step at `position`. */
export function learningRate(options: ScheduleOptions, position: SchedulePosition): number {
  const warm = warmupSteps(options, position);
  if (warm === 0) return mainLr(options, position);
  if (options.schedule === "onecycle") {
    throw new Error("learningRate: the onecycle schedule warms up itself; warmupEpochs must be 0");
  }
  if (position.step < warm) {
    const start = options.warmupStartFactor ?? 1 / 3;
    return options.lr * (start + ((1 - start) * position.step) / warm);
  }
  const step = position.step - warm;
  const perEpoch = position.stepsPerEpoch ?? 1;
  return mainLr(options, {
    epoch: Math.floor(step / perEpoch),
    step,
    totalSteps: Math.max(1, position.totalSteps - warm),
    stepsPerEpoch: perEpoch,
  });
}
