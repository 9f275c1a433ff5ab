/**
 * The zod schemas of the checkpoint metadata entries that are read back (beside `config` and `data`,
 * which have their own): the weights' `epoch` and `step` counts and the training state's `optimizer` and
 * `progress` JSON. `metadataIssues` words a failure with the fields named, for the checkpoint errors.
 */
import { z } from "zod";

const count = z.number().int().min(0);

/** A count written as a decimal string ("12"). */
export const MetadataCountSchema = z
  .string()
  .regex(/^\d+$/, "expected a count")
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, "expected a count"));

/** The training state's `optimizer` entry (the momentum buffers are tensors beside it). */
export const TrainStateOptimizerSchema = z.object({
  type: z.literal("SGD").optional(),
  hyperparameters: z.object({
    lr: z.number(),
    momentum: z.number(),
    dampening: z.number(),
    weightDecay: z.number(),
    nesterov: z.boolean(),
  }),
  stepCount: count,
  /** The parameter names, in the optimizer's order. */
  parameters: z.array(z.string()),
});

/** The training state's `progress` entry (the Trainer's TrainProgress). */
export const TrainProgressSchema = z.object({
  epochsDone: count,
  stepsInEpoch: count,
  globalStep: count,
  shuffleSeed: z.number().int(),
  stepsPerEpoch: count,
  trainExamples: count,
  epochLossSum: z.number(),
  epochCorrect: count,
  epochExamples: count,
});

/** "field: problem; ..." for a failed parse. */
export function metadataIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}
