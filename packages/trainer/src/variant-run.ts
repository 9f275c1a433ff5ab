/**
 * One variant of a comparison, as `resnet-ts compare` and the web app's panel run it: the study net of
 * the variant at its depth, built with the run's seed (which also seeds the batch order), trained by
 * `trainForComparison`, evaluated on a test set when one is given, and its tensors disposed.
 */
import type { Dataset } from "@resnet-ts/data";
import { type VariantSpec, variantName } from "@resnet-ts/layers";
import { type ComparisonOptions, trainForComparison } from "./compare.js";
import { evaluate } from "./evaluate.js";
import type { StudyDepth } from "./study.js";
import { studyNet } from "./study-net.js";

export interface VariantRunOptions extends Omit<ComparisonOptions, "seed" | "label"> {
  variant: VariantSpec;
  depth: StudyDepth;
  /** Stage widths of the CIFAR family (ignored by the torchvision-style depths). */
  widths: readonly number[];
  /** Seeds the weights and the batch order. */
  seed: number;
  /** Evaluated after training (not when stopped early); `testAccuracy` is null without it. */
  test?: Dataset;
  /** Called once the net is built, before the first step. */
  onBuilt?: (net: { variant: string; layers: number; parameters: number }) => void;
}

export interface VariantRunResult {
  /** The variant's canonical name (e.g. "plain-full-preact"). */
  variant: string;
  /** Weighted layers on the main path. */
  layers: number;
  parameters: number;
  losses: number[];
  /** Mean training loss over the last 10% of the steps. */
  finalLoss: number;
  /** Top-level stage names and their mean gradient norms over the recorded steps. */
  stages: string[];
  gradNorms: number[];
  /** The first block stage's ("1") mean gradient norm (NaN when the net has no such stage). */
  lowerGradNorm: number;
  imagesPerSecond: number;
  testAccuracy: number | null;
  /** True when `onStep` asked to stop before `steps`. */
  stopped: boolean;
}

/** Builds, trains (and evaluates) one variant on `train`; the net is disposed before it returns. */
export async function trainVariant(train: Dataset, options: VariantRunOptions): Promise<VariantRunResult> {
  const { variant: spec, depth, widths, seed, test, onBuilt, ...training } = options;
  const variant = variantName(spec);
  const { model, layers } = studyNet(spec, depth, widths, seed);
  try {
    const parameters = model.numParameters();
    onBuilt?.({ variant, layers, parameters });
    const run = await trainForComparison(model, train, {
      ...training,
      seed,
      label: `${variant} depth ${depth} seed ${seed}`,
    });
    const testAccuracy =
      test && !run.stopped
        ? (await evaluate(model, test, { resize: training.resize ?? null })).accuracy
        : null;
    return {
      variant,
      layers,
      parameters,
      losses: run.losses,
      finalLoss: run.finalLoss,
      stages: run.stages,
      gradNorms: run.gradNorms,
      lowerGradNorm: run.gradNorms[run.stages.indexOf("1")] ?? Number.NaN,
      imagesPerSecond: run.imagesPerSecond,
      testAccuracy,
      stopped: run.stopped,
    };
  } finally {
    for (const t of [...model.parameters(), ...model.buffers()]) t.dispose();
  }
}
