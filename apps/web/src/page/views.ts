/**
 * The result views: the grid of test images with predicted and true labels, the confusion matrix (both
 * with the data's class names), the preview of the user's images (classes, counts, samples), and the
 * measured backend choice's figures.
 */
import type { FromWorker, ImagesReport, SampleGrid } from "../protocol.js";

/** The class names the last grid was drawn with (the predictions and the confusion matrix use them). */
let classNames: readonly string[] = [];

const nameOf = (label: number) => classNames[label] ?? String(label);

/** A canvas with image `k` of `grid` (CHW; grey or RGB; inverted for Fashion-MNIST). */
function drawImage(grid: SampleGrid, k: number): HTMLCanvasElement {
  const { side, pixels, channels, invert } = grid;
  const canvas = document.createElement("canvas");
  canvas.width = side;
  canvas.height = side;
  const image = new ImageData(side, side);
  const plane = side * side;
  const base = k * channels * plane;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = pixels[base + (channels === 3 ? c * plane : 0) + p]!;
      image.data[p * 4 + c] = invert ? 255 - v : v;
    }
    image.data[p * 4 + 3] = 255;
  }
  canvas.getContext("2d")!.putImageData(image, 0, 0);
  return canvas;
}

/** Draws the sample images; predictions come later through `showPredictions`. */
export function showSamples(host: HTMLElement, grid: SampleGrid): void {
  classNames = grid.classNames;
  const cells = grid.labels.map((label, k) => {
    const caption = document.createElement("figcaption");
    caption.textContent = `? / ${nameOf(label)}`;
    const cell = document.createElement("figure");
    cell.className = "sample";
    cell.dataset.label = String(label);
    cell.append(drawImage(grid, k), caption);
    return cell;
  });
  host.replaceChildren(...cells);
}

export function showPredictions(host: HTMLElement, predictions: number[]): void {
  host.querySelectorAll<HTMLElement>(".sample").forEach((cell, k) => {
    const predicted = predictions[k] ?? -1;
    const truth = Number(cell.dataset.label);
    const caption = cell.querySelector("figcaption")!;
    caption.textContent = `${predicted >= 0 ? nameOf(predicted) : "?"} / ${nameOf(truth)}`;
    cell.classList.toggle("right", predicted === truth);
    cell.classList.toggle("wrong", predicted !== truth && predicted >= 0);
  });
}

/** A table of counts, rows true class, columns predicted, shaded by the row's fraction. */
export function showConfusion(host: HTMLElement, confusion: number[][]): void {
  const table = document.createElement("table");
  table.className = "confusion";
  const head = table.createTHead().insertRow();
  head.insertCell().textContent = "";
  confusion.forEach((_, k) => {
    const th = document.createElement("th");
    th.textContent = nameOf(k).split(/[ /]/)[0]!;
    th.title = nameOf(k);
    head.append(th);
  });
  const body = table.createTBody();
  confusion.forEach((row, t) => {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.textContent = nameOf(t);
    tr.append(th);
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const td = tr.insertCell();
      td.textContent = String(count);
      const share = count / total;
      td.style.background =
        t === p ? `rgba(59,111,216,${share})` : `rgba(216,87,59,${Math.min(1, share * 3)})`;
      if (share > 0.5) td.style.color = "white";
    });
  });
  host.replaceChildren(table);
}

/** The user's images before training: one row per class (name, train / test counts, a few samples). */
export function showImagesPreview(host: HTMLElement, report: ImagesReport): void {
  const rows = report.classNames.map((name, label) => {
    const row = document.createElement("div");
    row.className = "class-row";
    row.dataset.class = name;
    const title = document.createElement("span");
    title.className = "class-name";
    title.textContent = `${name}: ${report.trainCounts[label]} train / ${report.testCounts[label]} test`;
    row.append(title);
    report.samples.labels.forEach((l, k) => {
      if (l === label) row.append(drawImage(report.samples, k));
    });
    return row;
  });
  host.replaceChildren(...rows);
}

/**
 * The measured backend choice in one line, e.g. "timed at 28x28, batch 64: wasm 326.0 img/s, gpujs:webgl2
 * 6.1 img/s; training on wasm"; the figures are also in `data-timings` (JSON, backend name to img/s or null).
 */
export function showTimings(el: HTMLElement, msg: Extract<FromWorker, { type: "backend-timings" }>): void {
  const parts = msg.timings.map((t) =>
    t.imagesPerSecond === null
      ? `${t.name} failed (${t.error})`
      : `${t.name} ${t.imagesPerSecond.toFixed(1)} img/s`,
  );
  el.textContent = `timed at ${msg.side}x${msg.side}, batch ${msg.batchSize}: ${parts.join(", ")}; training on ${msg.chosen}`;
  el.dataset.chosen = msg.chosen;
  el.dataset.timings = JSON.stringify(
    Object.fromEntries(msg.timings.map((t) => [t.name, t.imagesPerSecond])),
  );
}
