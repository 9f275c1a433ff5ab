/** A model summary: each top-level stage's name and output shape for an input shape, and the parameter count. */
import { noGrad, tidy, zeros } from "@resnet-ts/tensor";
import type { Module } from "./module.js";

export interface ModelSummary {
  parameters: number;
  input: number[];
  layers: { name: string; type: string; outputShape: number[]; parameters: number }[];
}

export function summary(model: Module, inputShape: readonly number[]): ModelSummary {
  const wasTraining = model.training;
  model.eval();
  try {
    const layers = noGrad(() =>
      tidy(() => {
        let x = zeros(inputShape);
        return model.namedChildren().map(([name, child]) => {
          x = child.forward(x);
          return {
            name,
            type: child.constructor.name,
            outputShape: [...x.shape],
            parameters: child.numParameters(),
          };
        });
      }),
    );
    return { parameters: model.numParameters(), input: [...inputShape], layers };
  } finally {
    model.train(wasTraining);
  }
}

/** The summary as an aligned text table. */
export function formatSummary(s: ModelSummary): string {
  const rows = s.layers.map((l) => [
    l.name,
    l.type,
    `[${l.outputShape.join(", ")}]`,
    l.parameters.toLocaleString("en-US"),
  ]);
  const header = ["stage", "type", "output shape", "parameters"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  return [
    `input [${s.input.join(", ")}]`,
    line(header),
    ...rows.map(line),
    `total parameters: ${s.parameters.toLocaleString("en-US")}`,
  ].join("\n");
}
