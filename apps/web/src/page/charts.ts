/**
 * The live loss and accuracy charts (uPlot): the training value of every batch as a line and the test
 * value of every epoch as points, over the optimizer step. Redrawn at most once per animation frame.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

interface Series {
  steps: number[];
  train: (number | null)[];
  test: (number | null)[];
}

class LiveChart {
  readonly #plot: uPlot;
  readonly #data: Series = { steps: [], train: [], test: [] };
  #pending = false;

  constructor(host: HTMLElement, label: string, range?: [number, number]) {
    const opts: uPlot.Options = {
      width: Math.max(280, host.clientWidth || 420),
      height: 200,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: range ? { range } : { auto: true } },
      axes: [{ label: "step" }, { label }],
      series: [
        {},
        { label: `train ${label}`, stroke: "#3b6fd8", width: 1.25, points: { show: false } },
        {
          label: `test ${label}`,
          stroke: "#d8573b",
          width: 0,
          points: { show: true, size: 8, fill: "#d8573b" },
        },
      ],
    };
    this.#plot = new uPlot(opts, [[], [], []], host);
    new ResizeObserver(() =>
      this.#plot.setSize({ width: Math.max(280, host.clientWidth), height: 200 }),
    ).observe(host);
  }

  addTrain(step: number, value: number): void {
    this.#data.steps.push(step);
    this.#data.train.push(value);
    this.#data.test.push(null);
    this.#schedule();
  }

  /** The test value at `step` (the epoch's last step). */
  addTest(step: number, value: number): void {
    const i = this.#data.steps.lastIndexOf(step);
    if (i >= 0) this.#data.test[i] = value;
    else {
      this.#data.steps.push(step);
      this.#data.train.push(null);
      this.#data.test.push(value);
    }
    this.#schedule();
  }

  clear(): void {
    this.#data.steps.length = 0;
    this.#data.train.length = 0;
    this.#data.test.length = 0;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      const { steps, train, test } = this.#data;
      this.#plot.setData([steps, train, test] as uPlot.AlignedData);
    });
  }
}

export class Charts {
  readonly loss = new LiveChart(document.getElementById("loss-chart")!, "loss");
  readonly accuracy = new LiveChart(document.getElementById("acc-chart")!, "accuracy", [0, 1]);

  clear(): void {
    this.loss.clear();
    this.accuracy.clear();
  }
}
