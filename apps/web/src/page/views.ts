/** The result views: the grid of test images with predicted and true labels, and the confusion matrix. */
import { CLASS_NAMES } from "@resnet-ts/data";
import type { SampleGrid } from "../protocol.js";

/** Draws the sample images; predictions come later through `showPredictions`. */
export function showSamples(host: HTMLElement, grid: SampleGrid): void {
  const { side, pixels, labels } = grid;
  const cells = labels.map((label, k) => {
    const canvas = document.createElement("canvas");
    canvas.width = side;
    canvas.height = side;
    const image = new ImageData(side, side);
    for (let p = 0; p < side * side; p++) {
      const v = 255 - pixels[k * side * side + p]!;
      image.data.set([v, v, v, 255], p * 4);
    }
    canvas.getContext("2d")!.putImageData(image, 0, 0);
    const caption = document.createElement("figcaption");
    caption.textContent = `? / ${CLASS_NAMES[label]}`;
    const cell = document.createElement("figure");
    cell.className = "sample";
    cell.dataset.label = String(label);
    cell.append(canvas, caption);
    return cell;
  });
  host.replaceChildren(...cells);
}

export function showPredictions(host: HTMLElement, predictions: number[]): void {
  host.querySelectorAll<HTMLElement>(".sample").forEach((cell, k) => {
    const predicted = predictions[k] ?? -1;
    const truth = Number(cell.dataset.label);
    const caption = cell.querySelector("figcaption")!;
    caption.textContent = `${CLASS_NAMES[predicted] ?? "?"} / ${CLASS_NAMES[truth]}`;
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
  CLASS_NAMES.forEach((name) => {
    const th = document.createElement("th");
    th.textContent = name.split(/[ /]/)[0]!;
    th.title = name;
    head.append(th);
  });
  const body = table.createTBody();
  confusion.forEach((row, t) => {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.textContent = CLASS_NAMES[t] ?? String(t);
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
