/** `resnet-ts eval`: accuracy and mean cross-entropy of a checkpoint on the test split. */
import { takeFirst } from "@resnet-ts/data";
import { checkpointShape, evaluate, TTA_NAMES } from "@resnet-ts/trainer";
import type { Command } from "commander";
import { z } from "zod";
import { selectBackend } from "../backends.js";
import { loadSplits } from "../data.js";
import {
  checkFitsData,
  dataOptions,
  modelFromCheckpoint,
  readCheckpoint,
  readPreprocessing,
} from "../model-io.js";
import { parseOptions } from "../options.js";
import type { Output } from "../output.js";

const EvalOptions = z.object({
  checkpoint: z.string({ error: "is required: the .safetensors file to evaluate" }).min(1),
  data: z.string().optional(),
  resize: z.coerce.number().int().min(8).max(512).optional(),
  testLimit: z.coerce.number().int().min(1).optional(),
  batchSize: z.coerce.number().int().min(1).max(4096),
  backend: z.string().optional(),
  tta: z.enum(TTA_NAMES, { error: `must be one of ${TTA_NAMES.join(", ")}` }).optional(),
});

export function registerEval(program: Command, output: () => Output): void {
  program
    .command("eval")
    .description("evaluate a checkpoint on the test split: accuracy (fraction) and mean cross-entropy")
    .requiredOption(
      "--checkpoint <path>",
      "the .safetensors checkpoint (from `train`, or PyTorch's state_dict)",
    )
    .option(
      "--data <source>",
      "fashion-mnist or a folder of IDX files (default: the data the checkpoint was trained on, else fashion-mnist)",
    )
    .option(
      "--resize <n>",
      "input side length (default: the checkpoint's training resize, else the images' size)",
    )
    .option("--test-limit <n>", "evaluate the first N test examples (file order)")
    .option("--batch-size <n>", "examples per forward pass", "256")
    .option("--backend <name>", "backend (default: the fastest that works here)")
    .option(
      "--tta <name>",
      "test-time augmentation: none or flip (mean logits of each image and its mirror; default: the checkpoint's training setting, else none)",
    )
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(EvalOptions, raw);
      const out = output();
      const backend = await selectBackend(opts.backend);
      const checkpoint = await readCheckpoint("--checkpoint", opts.checkpoint, { training: false });
      // The checkpoint's preprocessing: its channels, stored size and split, with no extra flags.
      const pre = readPreprocessing(checkpoint, opts.checkpoint);
      const data = await loadSplits(
        opts.data ?? checkpoint.info.data?.source ?? "fashion-mnist",
        out,
        dataOptions(pre, checkpoint.info.config?.seed ?? 0),
      );
      checkFitsData(checkpointShape(checkpoint.stateDict), data, "--checkpoint", opts.checkpoint, pre);
      const { model, resize, nonFinite } = modelFromCheckpoint(
        checkpoint,
        opts.checkpoint,
        data.classNames.length,
        out,
      );
      const test = opts.testLimit ? takeFirst(data.test, opts.testLimit) : data.test;
      const size = opts.resize ?? resize;
      const shape = size ? `${size}x${size}` : `${test.rows}x${test.cols}`;
      const tta = opts.tta ?? checkpoint.info.config?.tta ?? "none";
      out.info(
        `eval: ${opts.checkpoint} on ${test.count} test images at ${shape} (${backend}` +
          `${tta === "none" ? "" : `, test-time augmentation ${tta}`})`,
      );
      const result = await evaluate(model, test, {
        batchSize: opts.batchSize,
        resize: size,
        yieldEvery: 0,
        normalization: pre?.normalization ?? null,
        tta,
      });
      out.info(
        `accuracy ${result.accuracy.toFixed(4)}, loss ${result.loss.toFixed(4)}, ${result.examples} examples`,
      );
      out.record({ accuracy: result.accuracy, loss: result.loss, examples: result.examples });
      if (!Number.isFinite(result.loss)) {
        throw new Error(
          `eval: the loss is ${result.loss}` +
            (nonFinite.count > 0
              ? `: ${opts.checkpoint} has ${nonFinite.count} non-finite weights (first in ${nonFinite.first})`
              : ": the model's outputs are not finite"),
        );
      }
    });
}
