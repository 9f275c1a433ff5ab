/** One run of a study: builds the variant at its depth with the run's seed, trains it and evaluates it. */
import type { Dataset } from "@resnet-ts/data";
import { parseVariant } from "@resnet-ts/layers";
import {
  evaluate,
  type PlannedRun,
  type StudyRun,
  studyNet,
  studyNetLayers,
  type TrainingSettings,
  trainForComparison,
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
  const { model, layers } = studyNet(parseVariant(run.variant), run.depth, settings.widths, run.seed);
  try {
    const result = await trainForComparison(model, train, {
      ...settings,
      seed: run.seed,
      label: `${run.variant} depth ${run.depth} seed ${run.seed}`,
      onStep: (step, loss) => void onStep(step, loss),
    });
    const evaluation = await evaluate(model, test, { resize: settings.resize });
    return {
      variant: run.variant,
      depthSpec: run.depth,
      seed: run.seed,
      layers,
      parameters: model.numParameters(),
      losses: result.losses,
      finalLoss: result.finalLoss,
      testAccuracy: evaluation.accuracy,
      stages: result.stages,
      gradNorms: result.gradNorms,
      lowerGradNorm: result.gradNorms[result.stages.indexOf("1")] ?? Number.NaN,
      imagesPerSecond: result.imagesPerSecond,
    };
  } finally {
    for (const t of [...model.parameters(), ...model.buffers()]) t.dispose();
  }
}
