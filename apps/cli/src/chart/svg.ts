/**
 * A small SVG line-chart writer (no dependencies, no browser): panels of labelled series on linear or
 * log10 y axes, placed side by side in one SVG document with a shared legend.
 */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Dashed stroke (e.g. the plain nets). */
  dashed?: boolean;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  logY?: boolean;
  /** Tick labels for integer x values (e.g. stage names); numbers otherwise. */
  xTickLabels?: readonly string[];
}

const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#9467bd",
  "#ff7f0e",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#7f7f7f",
];
const W = 460;
const H = 320;
const M = { left: 64, right: 16, top: 32, bottom: 48 };

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : `${+v.toPrecision(3)}`;

/** "Nice" tick values covering [lo, hi] (about `count` of them). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function panelSvg(panel: Panel, colours: ReadonlyMap<string, string>, dx: number): string {
  const ty = (v: number) => (panel.logY ? Math.log10(v) : v);
  const pts = panel.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(ty(y)));
  if (pts.length === 0) throw new Error(`chart: panel '${panel.title}' has no finite points to draw`);
  let [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => ty(p[1]))), Math.max(...pts.map((p) => ty(p[1])))];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number) => dx + M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => M.top + (1 - (ty(y) - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(
    `<text x="${dx + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`,
  );
  const xt = panel.xTickLabels
    ? panel.xTickLabels.map((_, i) => i).filter((i) => i >= x0 && i <= x1)
    : ticks(x0, x1);
  for (const v of xt) {
    const label = panel.xTickLabels?.[v] ?? num(v);
    out.push(
      `<line x1="${px(v)}" y1="${H - M.bottom}" x2="${px(v)}" y2="${M.top}" stroke="#eee"/>`,
      `<text x="${px(v)}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(label)}</text>`,
    );
  }
  const yt = panel.logY
    ? ticks(Math.floor(y0), Math.ceil(y1), Math.max(1, Math.ceil(y1) - Math.floor(y0)))
        .filter((e) => Number.isInteger(e) && e >= y0 && e <= y1)
        .map((e) => 10 ** e)
    : ticks(y0, y1);
  for (const v of yt) {
    out.push(
      `<line x1="${dx + M.left}" y1="${py(v)}" x2="${dx + W - M.right}" y2="${py(v)}" stroke="#eee"/>`,
      `<text x="${dx + M.left - 6}" y="${py(v) + 4}" text-anchor="end">${num(v)}</text>`,
    );
  }
  out.push(
    `<rect x="${dx + M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
    `<text x="${dx + (M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(panel.xLabel)}</text>`,
    `<text transform="translate(${dx + 16} ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(
      panel.yLabel + (panel.logY ? " (log)" : ""),
    )}</text>`,
  );
  for (const s of panel.series) {
    const d = s.points
      .filter(([, y]) => Number.isFinite(ty(y)))
      .map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join("");
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(`<path d="${d}" fill="none" stroke="${colours.get(s.name)}" stroke-width="1.8"${dash}/>`);
  }
  return out.join("\n");
}

/** One SVG document: the panels side by side and a legend of every series name below them. */
export function chartSvg(panels: readonly Panel[]): string {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const dashed = new Set(panels.flatMap((p) => p.series.filter((s) => s.dashed).map((s) => s.name)));
  const colours = new Map(names.map((n, i) => [n, PALETTE[i % PALETTE.length]!]));
  const perRow = Math.max(1, Math.floor((panels.length * W) / 200));
  const legendRows = Math.ceil(names.length / perRow);
  const width = panels.length * W;
  const height = H + 12 + legendRows * 18;
  const legend = names.map((n, i) => {
    const x = 16 + (i % perRow) * 200;
    const y = H + 16 + Math.floor(i / perRow) * 18;
    const dash = dashed.has(n) ? ` stroke-dasharray="6 4"` : "";
    return (
      `<line x1="${x}" y1="${y - 4}" x2="${x + 28}" y2="${y - 4}" stroke="${colours.get(n)}" stroke-width="2"${dash}/>` +
      `<text x="${x + 34}" y="${y}">${esc(n)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(panels.map((p) => p.title).join("; "))}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panelSvg(p, colours, i * W)),
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}
