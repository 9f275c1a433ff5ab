/**
 * The comparison's charts (uPlot): training loss per step, one series per variant, and beside it the mean
 * gradient norm of each stage (x: stage index, log y), one series per variant. Both are rebuilt for each
 * comparison (the variants fix the series) and redrawn at most once per animation frame.
 */
import uPlot from "uplot";

const COLORS = [
  "#3b6fd8",
  "#d8573b",
  "#1e8449",
  "#8e44ad",
  "#c29d0b",
  "#16a2b8",
  "#7f8c8d",
  "#e67e22",
  "#2c3e50",
  "#e84393",
];
const HEIGHT = 220;

const seriesOf = (names: string[]): uPlot.Series[] => [
  {},
  ...names.map((name, i) => ({
    label: name,
    stroke: COLORS[i % COLORS.length]!,
    width: 1.5,
    // Plain nets dashed, as in the CLI's chart.
    ...(name.startsWith("plain") ? { dash: [6, 4] } : {}),
    points: { show: false },
  })),
];

function plot(
  host: HTMLElement,
  opts: Omit<uPlot.Options, "width" | "height">,
  data: uPlot.AlignedData,
): uPlot {
  host.replaceChildren();
  const chart = new uPlot(
    { ...opts, width: Math.max(280, host.clientWidth || 420), height: HEIGHT },
    data,
    host,
  );
  return chart;
}

export class CompareCharts {
  readonly #lossHost: HTMLElement;
  readonly #gradHost: HTMLElement;
  #loss: uPlot | null = null;
  #grad: uPlot | null = null;
  #steps: number[] = [];
  #losses: (number | null)[][] = [];
  /** Per variant: stage name -> mean gradient norm. */
  #norms: Map<string, number>[] = [];
  #pending = false;

  constructor(lossHost: HTMLElement, gradHost: HTMLElement) {
    this.#lossHost = lossHost;
    this.#gradHost = gradHost;
    new ResizeObserver(() => {
      const width = Math.max(280, lossHost.clientWidth);
      this.#loss?.setSize({ width, height: HEIGHT });
      this.#grad?.setSize({ width: Math.max(280, gradHost.clientWidth), height: HEIGHT });
    }).observe(lossHost);
  }

  /** New, empty charts for these variants and this many steps. */
  reset(variants: string[], steps: number): void {
    this.#steps = Array.from({ length: steps }, (_, i) => i + 1);
    this.#losses = variants.map(() => new Array<number | null>(steps).fill(null));
    this.#norms = variants.map(() => new Map());
    this.#loss?.destroy();
    this.#grad?.destroy();
    this.#loss = plot(
      this.#lossHost,
      {
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [{ label: "step" }, { label: "training loss" }],
        series: seriesOf(variants),
      },
      [this.#steps, ...this.#losses] as uPlot.AlignedData,
    );
    this.#grad = plot(
      this.#gradHost,
      {
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { distr: 3 } },
        axes: [
          { label: "stage", values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) },
          { label: "gradient L2 norm (log)" },
        ],
        series: seriesOf(variants).map((s, i) => (i === 0 ? s : { ...s, points: { show: true, size: 6 } })),
      },
      [[], ...variants.map(() => [])] as uPlot.AlignedData,
    );
  }

  addLosses(index: number, firstStep: number, losses: number[]): void {
    const row = this.#losses[index];
    if (!row) return;
    losses.forEach((loss, k) => {
      row[firstStep - 1 + k] = loss;
    });
    this.#schedule();
  }

  setNorms(index: number, stages: string[], means: number[]): void {
    const map = this.#norms[index];
    if (!map) return;
    stages.forEach((stage, k) => {
      map.set(stage, means[k]!);
    });
    this.#schedule();
  }

  /** The stages with gradients in any variant, by top-level child index; x is the position in this list. */
  #stageNames(): string[] {
    return [...new Set(this.#norms.flatMap((m) => [...m.keys()]))].sort((a, b) => Number(a) - Number(b));
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.#loss?.setData([this.#steps, ...this.#losses] as uPlot.AlignedData);
      const stages = this.#stageNames();
      this.#grad?.setData([
        stages.map((_, i) => i),
        ...this.#norms.map((m) => stages.map((s) => positive(m.get(s)))),
      ] as uPlot.AlignedData);
    });
  }
}

/** A value the log scale can show, else a gap. */
const positive = (v: number | undefined) => (v !== undefined && v > 0 ? v : null);
