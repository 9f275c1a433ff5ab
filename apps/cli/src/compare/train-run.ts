/** One run of a study: builds the variant at its depth with the run's seed, trains it and evaluates it. */
import type { Dataset } from "@resnet-ts/data";
import {
  cifarResnet,
  networkDepth,
  parseVariant,
  RESNET_DEPTHS,
  resnet,
  type Sequential,
} from "@resnet-ts/layers";
import {
  evaluate,
  type PlannedRun,
  type StudyRun,
  type TrainingSettings,
  trainForComparison,
} from "@resnet-ts/trainer";

function build(settings: TrainingSettings, run: PlannedRun): { model: Sequential; layers: number } {
  const spec = parseVariant(run.variant);
  const depth = run.depth;
  if (typeof depth === "number") {
    return {
      model: cifarResnet({ ...spec, n: depth, widths: settings.widths, seed: run.seed }),
      layers: networkDepth(
        spec.block,
        settings.widths.map(() => depth),
      ),
    };
  }
  const depths = RESNET_DEPTHS[depth];
  return { model: resnet({ ...spec, depths, seed: run.seed }), layers: networkDepth(spec.block, depths) };
}

/** Layers of a planned run's net (to weigh its cost in the progress display). */
export const layersOf = (settings: TrainingSettings, run: PlannedRun): number => {
  const spec = parseVariant(run.variant);
  return typeof run.depth === "number"
    ? networkDepth(
        spec.block,
        settings.widths.map(() => run.depth as number),
      )
    : networkDepth(spec.block, RESNET_DEPTHS[run.depth]);
};

export async function trainRun(
  settings: TrainingSettings,
  run: PlannedRun,
  train: Dataset,
  test: Dataset,
  onStep: (step: number, loss: number) => void,
): Promise<StudyRun> {
  const { model, layers } = build(settings, run);
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
