/**
 * The comparison in the worker: each variant in turn is built with the same seed and trained by the
 * trainer's `trainForComparison` (as `resnet-ts compare` does); losses and gradient norms stream to the
 * page as they come.
 */
import type { Dataset } from "@resnet-ts/data";
import { variantName } from "@resnet-ts/layers";
import { studyNet, trainForComparison, yieldToEventLoop } from "@resnet-ts/trainer";
import type { CompareResult, CompareSettings, CompareVariant, FromWorker } from "../protocol.js";

/** Losses are sent in groups, at most this often (ms), so that a fast net does not flood the page. */
const FLUSH_MS = 100;

export const nameOf = (v: CompareVariant) => variantName({ block: "basic", ...v });

/** Trains variant `index` of `s` on `train`; returns null when `stopped()` turned true first. */
export async function trainVariant(
  s: CompareSettings,
  index: number,
  train: Dataset,
  post: (message: FromWorker) => void,
  stopped: () => boolean,
): Promise<CompareResult | null> {
  const variant = s.variants[index]!;
  const { model, layers } = studyNet({ block: "basic", ...variant }, s.depth, s.widths, s.seed);
  try {
    post({
      type: "compare-begin",
      index,
      variant: nameOf(variant),
      layers,
      parameters: model.numParameters(),
    });
    let sent = 0;
    let flushedAt = performance.now();
    const flush = (losses: readonly number[]) => {
      if (sent < losses.length) {
        post({ type: "compare-losses", index, firstStep: sent + 1, losses: losses.slice(sent) });
        sent = losses.length;
      }
      flushedAt = performance.now();
    };
    const losses: number[] = [];
    const run = await trainForComparison(model, train, {
      ...s,
      label: nameOf(variant),
      onStep: async (_step, loss) => {
        losses.push(loss);
        if (performance.now() - flushedAt > FLUSH_MS) flush(losses);
        // Lets the worker see a Stop between steps.
        await yieldToEventLoop();
        return stopped() ? "stop" : undefined;
      },
      onNorms: (stages, means) => {
        flush(losses);
        post({ type: "compare-norms", index, stages, means });
      },
    });
    if (run.stopped) return null;
    flush(losses);
    return {
      variant: nameOf(variant),
      layers,
      parameters: model.numParameters(),
      finalLoss: run.finalLoss,
      stages: run.stages,
      gradNorms: run.gradNorms,
      lowerGradNorm: run.gradNorms[run.stages.indexOf("1")] ?? Number.NaN,
      imagesPerSec: run.imagesPerSecond,
      steps: run.losses.length,
    };
  } finally {
    for (const t of [...model.parameters(), ...model.buffers()]) t.dispose();
  }
}
