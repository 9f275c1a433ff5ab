/** `resnet-ts summary`: the model's stages, their output shapes and the parameter count. */
import { formatSummary, resnet18, summary } from "@resnet-ts/layers";
import type { Command } from "commander";
import { z } from "zod";
import { parseOptions } from "../options.js";
import type { Output } from "../output.js";

const SummaryOptions = z.object({
  input: z
    .string()
    .regex(/^\d+,\d+,\d+,\d+$/, "expected four positive integers N,C,H,W, e.g. 1,1,96,96")
    .transform((s) => s.split(",").map(Number))
    .refine((dims) => dims.every((d) => d >= 1), "every dimension must be >= 1"),
  classes: z.coerce.number().int().min(1),
});

export function registerSummary(program: Command, output: () => Output): void {
  program
    .command("summary")
    .description("print the d2l ResNet-18's stages with their output shapes and the parameter count")
    .option("--input <N,C,H,W>", "input shape", "1,1,224,224")
    .option("--classes <n>", "number of output classes", "10")
    .action((raw: Record<string, unknown>) => {
      const opts = parseOptions(SummaryOptions, raw);
      const [, c] = opts.input as [number, number];
      const s = summary(resnet18({ inChannels: c, numClasses: opts.classes }), opts.input);
      output().info(formatSummary(s));
      output().record({
        parameters: s.parameters,
        layers: s.layers.map(({ name, outputShape }) => ({ name, outputShape })),
      });
    });
}
