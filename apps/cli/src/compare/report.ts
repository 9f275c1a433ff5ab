/** A study's results as text and SVG: a table of the summaries (mean ± sd over seeds) and the charts. */
import type { VariantSummary } from "@resnet-ts/trainer";
import { chartSvg, type Series } from "../chart/svg.js";

const pm = (s: { mean: number; sd: number; n: number }, digits: number) =>
  s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);

/** A Markdown table: one row per (variant, depth), mean ± sample sd over its seeds. */
export function formatTable(summaries: readonly VariantSummary[]): string {
  const stageNames = [...new Set(summaries.flatMap((s) => s.stages))].sort((a, b) => Number(a) - Number(b));
  const header = [
    "variant",
    "layers",
    "params",
    "seeds",
    "final train loss",
    "test error %",
    ...stageNames.map((s) => `grad norm ${s}`),
  ];
  const rows = summaries.map((s) => [
    s.variant,
    String(s.layers),
    String(s.parameters),
    String(s.seeds.length),
    pm(s.finalLoss, 4),
    pm({ ...s.testError, mean: 100 * s.testError.mean, sd: 100 * s.testError.sd }, 2),
    ...stageNames.map((name) => {
      const g = s.gradNorms[s.stages.indexOf(name)];
      return g ? pm(g, 3) : "-";
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

/** Moving mean over `window` steps, as (step, loss) points. */
export function smooth(losses: readonly number[], window: number): [number, number][] {
  const points: [number, number][] = [];
  let sum = 0;
  losses.forEach((v, i) => {
    sum += v - (i >= window ? losses[i - window]! : 0);
    if (i + 1 >= window) points.push([i + 1, sum / window]);
  });
  return points;
}

/** Loss curves (mean over seeds, smoothed) and the gradient norm per stage (mean over seeds, log scale). */
export function studyChart(summaries: readonly VariantSummary[], steps: number, recordEvery: number): string {
  const label = (s: VariantSummary) => `${s.variant} (${s.layers} layers)`;
  const window = Math.max(1, Math.min(recordEvery * 2, Math.floor(steps / 5)));
  const seeds = Math.max(...summaries.map((s) => s.seeds.length));
  const over = seeds > 1 ? `, mean of ${seeds} seeds` : "";
  const stageNames = [...new Set(summaries.flatMap((s) => s.stages))].sort((a, b) => Number(a) - Number(b));
  const lossSeries: Series[] = summaries.map((s) => ({
    name: label(s),
    points: smooth(s.meanLosses, window),
    dashed: s.variant.startsWith("plain"),
  }));
  const gradSeries: Series[] = summaries.map((s) => ({
    name: label(s),
    points: s.stages.map((name, i): [number, number] => [stageNames.indexOf(name), s.gradNorms[i]!.mean]),
    dashed: s.variant.startsWith("plain"),
  }));
  return chartSvg([
    {
      title: `Training loss (moving mean of ${window} steps${over})`,
      xLabel: "step",
      yLabel: "cross-entropy",
      series: lossSeries,
    },
    {
      title: `Gradient norm per stage (mean over recorded steps${over})`,
      xLabel: "stage (0 = stem, last = classifier)",
      yLabel: "L2 norm of the stage's gradients",
      series: gradSeries,
      logY: true,
      xTickLabels: stageNames,
    },
  ]);
}
