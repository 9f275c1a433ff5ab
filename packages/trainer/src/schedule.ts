/**
 * Learning-rate schedules as pure functions of the training position, matching PyTorch's schedulers:
 * - `constant`: the base rate throughout.
 * - `step`: `torch.optim.lr_scheduler.StepLR(step_size, gamma)` stepped once per epoch:
 *   lr = base * gamma ^ floor(epoch / stepSize).
 * - `cosine`: `CosineAnnealingLR(T_max = totalSteps, eta_min)` stepped once per optimizer step, in its
 *   closed form: lr = etaMin + (base - etaMin) * (1 + cos(pi * step / totalSteps)) / 2.
 */

export type ScheduleName = "constant" | "step" | "cosine";

export interface ScheduleOptions {
  schedule: ScheduleName;
  /** The base learning rate. */
  lr: number;
  /** `step`: epochs between decays. */
  stepSize?: number;
  /** `step`: the decay factor. */
  gamma?: number;
  /** `cosine`: the final learning rate. */
  etaMin?: number;
}

/** Where training stands when the rate is needed: 0-based epoch and optimizer step, and the planned total. */
export interface SchedulePosition {
  epoch: number;
  step: number;
  totalSteps: number;
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

/** The learning rate for the optimizer step at `position`. */
export function learningRate(options: ScheduleOptions, position: SchedulePosition): number {
  const { schedule, lr } = options;
  switch (schedule) {
    case "constant":
      return lr;
    case "step":
      return stepLr(lr, position.epoch, options.stepSize ?? 1, options.gamma ?? 0.1);
    case "cosine":
      return cosineLr(lr, position.step, position.totalSteps, options.etaMin ?? 0);
    default:
      throw new Error(`learningRate: unknown schedule '${String(schedule satisfies never)}'`);
  }
}
