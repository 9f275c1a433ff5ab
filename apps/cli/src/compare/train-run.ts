/** One run of a study: the trainer's `trainVariant` at the run's variant, depth and seed, as a saved run. */
import type { Dataset } from "@resnet-ts/data";
import { parseVariant } from "@resnet-ts/layers";
import {
  type PlannedRun,
  type StudyRun,
  studyNetLayers,
  type TrainingSettings,
  trainVariant,
} from "@resnet-ts/trainer";

/** Layers of a planned run's net (to weigh its cost in the progress display). */
export const layersOf = (settings: TrainingSettings, run: PlannedRun): number =>
  studyNetLayers(parseVariant(run.variant), run.depth, settings.widths);

export async function trainRun(
  settings: TrainingSettings,
  run: PlannedRun,
  train: Dataset,
  test: Dataset,
  onStep: (step: number, loss: number) => void,
): Promise<StudyRun> {
  const r = await trainVariant(train, {
    ...settings,
    variant: parseVariant(run.variant),
    depth: run.depth,
    seed: run.seed,
    test,
    onStep: (step, loss) => void onStep(step, loss),
  });
  return {
    variant: r.variant,
    depthSpec: run.depth,
    seed: run.seed,
    layers: r.layers,
    parameters: r.parameters,
    losses: r.losses,
    finalLoss: r.finalLoss,
    // Evaluated: a test set was given and nothing stops a CLI run early.
    testAccuracy: r.testAccuracy!,
    stages: r.stages,
    gradNorms: r.gradNorms,
    lowerGradNorm: r.lowerGradNorm,
    imagesPerSecond: r.imagesPerSecond,
  };
}
