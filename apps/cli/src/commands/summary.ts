/**
 * `resnet-ts summary`: a model's stages, their output shapes and parameter counts, and with `--freeze` how
 * many parameters fine-tuning would train and how many it would keep frozen.
 */
import { formatSummary, summary } from "@resnet-ts/layers";
import { applyFreeze, createModel, FREEZE_PATTERN, MODEL_NAMES } from "@resnet-ts/trainer";
import type { Command } from "commander";
import { z } from "zod";
import { resolveFlags } from "../config-flags.js";
import { parseOptions } from "../options.js";
import type { Output } from "../output.js";

const SummaryOptions = z.object({
  model: z.enum(MODEL_NAMES, { error: `expected one of ${MODEL_NAMES.join(", ")}` }),
  input: z
    .string()
    .regex(/^\d+,\d+,\d+,\d+$/, "expected four positive integers N,C,H,W, e.g. 1,1,96,96")
    .transform((s) => s.split(",").map(Number))
    .refine((dims) => dims.every((d) => d >= 1), "every dimension must be >= 1")
    .optional(),
  classes: z.coerce.number().int().min(1),
  freeze: z.string().regex(FREEZE_PATTERN, "expected none, backbone, stem or layers:N (N from 1 to 4)"),
  smallStem: z.boolean().optional(),
  width: z.coerce.number().optional(),
});

export function registerSummary(program: Command, output: () => Output): void {
  program
    .command("summary")
    .description(
      "print a model's stages with their output shapes and parameter counts (trainable and frozen with --freeze)",
    )
    .option("--model <name>", `architecture: ${MODEL_NAMES.join(", ")}`, "d2l-resnet18")
    .option("--input <N,C,H,W>", "input shape (default: 1,1,224,224 for d2l-resnet18, 1,3,224,224 otherwise)")
    .option("--classes <n>", "number of output classes", "10")
    .option("--freeze <parts>", "count what fine-tuning would freeze: none, backbone, stem, layers:N", "none")
    .option("--small-stem", "torchvision models: 3x3 stride-1 conv1 and no max pool")
    .option("--width <f>", "d2l-resnet18: stage widths as a multiple of 64/128/256/512 (default 1)")
    .action((raw: Record<string, unknown>) => {
      const opts = parseOptions(SummaryOptions, raw);
      const input = opts.input ?? [1, opts.model === "d2l-resnet18" ? 1 : 3, 224, 224];
      const config = resolveFlags({
        model: opts.model,
        ...(opts.smallStem ? { smallStem: true } : {}),
        ...(opts.width !== undefined ? { width: opts.width } : {}),
      });
      const model = createModel(config, { inChannels: input[1]!, numClasses: opts.classes });
      const frozen = applyFreeze(model, opts.freeze);
      const s = summary(model, input);
      const frozenIn = (stage: string) =>
        frozen.prefixes.some((p) => p === stage || p.startsWith(`${stage}.`))
          ? (s.layers.find((l) => l.name === stage)?.parameters ?? 0)
          : 0;
      output().info(config.width === 1 ? opts.model : `${opts.model} at width ${config.width}`);
      output().info(formatSummary(s));
      output().info(
        `trainable parameters: ${frozen.trainableParameters.toLocaleString("en-US")}, frozen: ` +
          `${frozen.frozenParameters.toLocaleString("en-US")}` +
          (frozen.prefixes.length ? ` (${frozen.prefixes.join(", ")})` : ""),
      );
      output().record({
        model: opts.model,
        input,
        parameters: s.parameters,
        trainableParameters: frozen.trainableParameters,
        frozenParameters: frozen.frozenParameters,
        layers: s.layers.map(({ name, outputShape, parameters }) => ({
          name,
          outputShape,
          parameters,
          frozen: frozenIn(name),
        })),
      });
    });
}
