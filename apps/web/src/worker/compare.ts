/**
 * The comparison's training loop (as `resnet-ts compare` runs it): each variant in turn is built with the
 * same seed and trained for the same number of SGD steps on the same examples in the same batch order,
 * recording every step's training loss and, every `recordEvery` steps, the gradient norm of each top-level
 * stage (after backward, before the update). Progress streams to the page as it happens.
 */
import { batches, type Dataset } from "@resnet-ts/data";
import {
  cifarResnet,
  networkDepth,
  RESNET_DEPTHS,
  resnet,
  type Sequential,
  variantName,
} from "@resnet-ts/layers";
import { Rng, tidy } from "@resnet-ts/tensor";
import { crossEntropy, gradientNorms, SGD, yieldToEventLoop } from "@resnet-ts/trainer";
import type { CompareResult, CompareSettings, CompareVariant, FromWorker } from "../protocol.js";

/** Losses are sent in groups, at most this often (ms), so that a fast net does not flood the page. */
const FLUSH_MS = 100;

export const nameOf = (v: CompareVariant) => variantName({ block: "basic", ...v });

function build(s: CompareSettings, v: CompareVariant): { model: Sequential; layers: number } {
  const spec = { block: "basic" as const, ...v, seed: s.seed };
  if (s.depth === "resnet18") {
    return { model: resnet(spec), layers: networkDepth("basic", RESNET_DEPTHS.resnet18) };
  }
  const n = s.depth;
  return {
    model: cifarResnet({ ...spec, n, widths: s.widths }),
    layers: networkDepth(
      "basic",
      s.widths.map(() => n),
    ),
  };
}

/** Trains variant `index` of `s` on `train`; returns null when `stopped()` turned true first. */
export async function trainVariant(
  s: CompareSettings,
  index: number,
  train: Dataset,
  post: (message: FromWorker) => void,
  stopped: () => boolean,
): Promise<CompareResult | null> {
  const variant = s.variants[index]!;
  if (train.count < s.batchSize) {
    throw new Error(
      `compare: ${train.count} training examples cannot make one batch of ${s.batchSize}; use more examples or a smaller batch`,
    );
  }
  const { model, layers } = build(s, variant);
  try {
    post({
      type: "compare-begin",
      index,
      variant: nameOf(variant),
      layers,
      parameters: model.numParameters(),
    });
    const sgd = new SGD(model.parameters(), { lr: s.lr });
    const rng = new Rng(s.seed);
    const losses: number[] = [];
    const normSums = new Map<string, number>();
    let recorded = 0;
    let trainMs = 0;
    let sent = 0;
    let flushedAt = performance.now();
    const flush = () => {
      if (sent < losses.length) {
        post({ type: "compare-losses", index, firstStep: sent + 1, losses: losses.slice(sent) });
        sent = losses.length;
      }
      flushedAt = performance.now();
    };
    model.train();
    while (losses.length < s.steps) {
      const epoch = batches(train, {
        batchSize: s.batchSize,
        shuffle: true,
        rng,
        ...(s.resize ? { resize: s.resize } : {}),
        dropLast: true,
      });
      for (const batch of epoch) {
        if (losses.length >= s.steps || stopped()) {
          batch.images.dispose();
          batch.labels.dispose();
          continue;
        }
        const start = performance.now();
        const record = (losses.length + 1) % s.recordEvery === 0;
        const loss = tidy(() => {
          const value = crossEntropy(model.forward(batch.images), batch.labels);
          value.backward();
          if (record) {
            for (const { name, norm } of gradientNorms(model, { groupBy: "stage" }))
              normSums.set(name, (normSums.get(name) ?? 0) + norm);
            recorded++;
          }
          sgd.step();
          return value.item();
        });
        sgd.zeroGrad();
        batch.images.dispose();
        batch.labels.dispose();
        trainMs += performance.now() - start;
        if (!Number.isFinite(loss)) {
          throw new Error(`compare: ${nameOf(variant)} diverged (loss ${loss}) at step ${losses.length + 1}`);
        }
        losses.push(loss);
        if (record) {
          flush();
          const stages = [...normSums.keys()];
          post({
            type: "compare-norms",
            index,
            stages,
            means: stages.map((k) => normSums.get(k)! / recorded),
          });
        } else if (performance.now() - flushedAt > FLUSH_MS) flush();
        // Lets the worker see a Stop between steps.
        await yieldToEventLoop();
      }
      if (stopped()) return null;
    }
    flush();
    const tail = losses.slice(-Math.max(1, Math.round(losses.length / 10)));
    const stages = [...normSums.keys()];
    const gradNorms = stages.map((k) => normSums.get(k)! / Math.max(1, recorded));
    return {
      variant: nameOf(variant),
      layers,
      parameters: model.numParameters(),
      finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
      stages,
      gradNorms,
      lowerGradNorm: gradNorms[stages.indexOf("1")] ?? Number.NaN,
      imagesPerSec: (losses.length * s.batchSize) / (trainMs / 1000),
      steps: losses.length,
    };
  } finally {
    for (const t of [...model.parameters(), ...model.buffers()]) t.dispose();
  }
}
