/**
 * The comparison in the worker: each variant in turn is built with the same seed and trained by the
 * trainer's `trainVariant` (as `resnet-ts compare` does); losses and gradient norms stream to the page as
 * they come.
 */
import type { Dataset } from "@resnet-ts/data";
import { variantName } from "@resnet-ts/layers";
import { trainVariant as trainOne, yieldToEventLoop } from "@resnet-ts/trainer";
import type { CompareResult, CompareSettings, CompareVariant, FromWorker } from "../protocol.js";

/** Losses are sent in groups, at most this often (ms), so that a fast net does not flood the page. */
const FLUSH_MS = 100;

const specOf = (v: CompareVariant) => ({ block: "basic", ...v }) as const;

export const nameOf = (v: CompareVariant) => variantName(specOf(v));

/** Trains variant `index` of `s` on `train`; returns null when `stopped()` turned true first. */
export async function trainVariant(
  s: CompareSettings,
  index: number,
  train: Dataset,
  post: (message: FromWorker) => void,
  stopped: () => boolean,
): Promise<CompareResult | null> {
  let sent = 0;
  let flushedAt = performance.now();
  const losses: number[] = [];
  const flush = () => {
    if (sent < losses.length) {
      post({ type: "compare-losses", index, firstStep: sent + 1, losses: losses.slice(sent) });
      sent = losses.length;
    }
    flushedAt = performance.now();
  };
  const run = await trainOne(train, {
    ...s,
    variant: specOf(s.variants[index]!),
    onBuilt: (net) => post({ type: "compare-begin", index, ...net }),
    onStep: async (_step, loss) => {
      losses.push(loss);
      if (performance.now() - flushedAt > FLUSH_MS) flush();
      // Lets the worker see a Stop between steps.
      await yieldToEventLoop();
      return stopped() ? "stop" : undefined;
    },
    onNorms: (stages, means) => {
      flush();
      post({ type: "compare-norms", index, stages, means });
    },
  });
  if (run.stopped) return null;
  flush();
  const { losses: all, testAccuracy: _t, stopped: _s, ...result } = run;
  return { ...result, steps: all.length };
}
