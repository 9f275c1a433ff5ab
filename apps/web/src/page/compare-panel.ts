/**
 * The "Compare variants" panel: reads and checks its settings (the shared ones through the trainer's schema,
 * `resolveConfig`), asks the worker for a comparison, and shows what streams back: the charts, the status
 * line and the results table.
 */
import { type BlockArrangement, variantName } from "@resnet-ts/layers";
import { ConfigError, resolveConfig } from "@resnet-ts/trainer";
import type { CompareResult, CompareSettings, CompareVariant, FromWorker } from "../protocol.js";
import { CompareCharts } from "./compare-charts.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** The trainer's config field behind each of the panel's fields that the schema checks. */
const SCHEMA_FIELDS = {
  batchSize: "cmp-batch",
  lr: "cmp-lr",
  seed: "cmp-seed",
  steps: "cmp-steps",
  trainLimit: "cmp-train",
} as const;

export class ComparePanel {
  readonly form = $<HTMLFormElement>("compare-form");
  readonly #status = $("compare-status");
  readonly #table = $<HTMLTableElement>("compare-table");
  readonly #charts = new CompareCharts($("compare-loss-chart"), $("compare-grad-chart"));
  #settings: CompareSettings | null = null;
  #names: string[] = [];

  /** The settings, or null after showing what is wrong under the fields. */
  read(backend: string | null): CompareSettings | null {
    for (const el of this.form.querySelectorAll<HTMLElement>("[data-issue-for]")) el.textContent = "";
    const issues: [string, string][] = [];
    const num = (id: string) => $<HTMLInputElement>(id).valueAsNumber;
    const variants: CompareVariant[] = [...this.form.querySelectorAll<HTMLInputElement>(".cmp-variant")]
      .filter((box) => box.checked)
      .map((box) => ({
        arrangement: box.dataset.arrangement as BlockArrangement,
        plain: box.dataset.plain === "true",
      }));
    if (variants.length === 0) issues.push(["cmp-variants", "choose at least one variant"]);
    const widths = $<HTMLInputElement>("cmp-widths")
      .value.split(",")
      .map((w) => Number(w.trim()));
    const depth = $<HTMLSelectElement>("cmp-depth").value;
    if (depth !== "resnet18" && widths.some((w) => !Number.isInteger(w) || w < 1 || w > 512)) {
      issues.push(["cmp-widths", "must be comma-separated integers between 1 and 512, e.g. 16,32,64"]);
    }
    const recordEvery = num("cmp-every");
    if (!Number.isInteger(recordEvery) || recordEvery < 1)
      issues.push(["cmp-every", "must be an integer >= 1"]);
    const resize = $<HTMLSelectElement>("cmp-resize").value === "28" ? null : 14;
    let shared: ReturnType<typeof resolveConfig> | null = null;
    try {
      shared = resolveConfig({
        batchSize: num("cmp-batch"),
        lr: num("cmp-lr"),
        seed: num("cmp-seed"),
        steps: num("cmp-steps"),
        trainLimit: num("cmp-train"),
        resize,
        backend,
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) {
        const id = SCHEMA_FIELDS[issue.field as keyof typeof SCHEMA_FIELDS];
        issues.push([id ?? "cmp-variants", id ? issue.message : `${issue.field}: ${issue.message}`]);
      }
    }
    for (const [id, message] of issues) {
      const slot = this.form.querySelector(`[data-issue-for="${id}"]`);
      if (slot) slot.textContent = message;
    }
    if (issues.length || !shared) return null;
    return {
      variants,
      depth: depth === "resnet18" ? "resnet18" : Number(depth),
      widths,
      steps: shared.steps!,
      batchSize: shared.batchSize,
      lr: shared.lr,
      seed: shared.seed,
      trainLimit: shared.trainLimit!,
      resize,
      recordEvery,
      backend,
    };
  }

  /** A comparison of `settings` was asked for: empty charts and table. */
  begin(settings: CompareSettings): void {
    this.#settings = settings;
    this.#names = settings.variants.map((v) => variantName({ block: "basic", ...v }));
    this.#charts.reset(this.#names, settings.steps);
    this.#table.tBodies[0]!.replaceChildren();
    this.#setStatus("starting", "running");
  }

  setRunning(running: boolean): void {
    $<HTMLButtonElement>("compare-start").disabled = running;
    $<HTMLButtonElement>("compare-stop").disabled = !running || !this.#settings;
  }

  /** The run failed (the worker's message is shown with the page's errors). */
  failed(message: string): void {
    if (this.#settings) this.#setStatus(`failed: ${message}`, "failed");
    this.#settings = null;
  }

  /** Handles the worker's comparison messages; false for any other message. */
  handle(msg: FromWorker): boolean {
    const s = this.#settings;
    switch (msg.type) {
      case "compare-begin":
        this.#setStatus(
          `training ${msg.variant} (${msg.index + 1} of ${s?.variants.length ?? "?"}, ${msg.layers} layers)`,
          "running",
        );
        return true;
      case "compare-losses": {
        this.#charts.addLosses(msg.index, msg.firstStep, msg.losses);
        const last = msg.losses.at(-1);
        const name = this.#names[msg.index] ?? "";
        this.#setStatus(
          `training ${name} (${msg.index + 1} of ${s?.variants.length ?? "?"}): step ${msg.firstStep + msg.losses.length - 1} of ${s?.steps ?? "?"}, loss ${last?.toFixed(4)}`,
          "running",
        );
        return true;
      }
      case "compare-norms":
        this.#charts.setNorms(msg.index, msg.stages, msg.means);
        return true;
      case "compare-end":
        this.#charts.setNorms(msg.index, msg.result.stages, msg.result.gradNorms);
        this.#addRow(msg.result);
        return true;
      case "compare-done":
        this.#setStatus(
          msg.stopped
            ? `stopped: ${msg.completed} of ${s?.variants.length ?? "?"} variants trained`
            : `done: ${msg.completed} variants trained`,
          msg.stopped ? "stopped" : "done",
        );
        this.#settings = null;
        return true;
      default:
        return false;
    }
  }

  #setStatus(text: string, state: string): void {
    this.#status.textContent = text;
    this.#status.dataset.state = state;
  }

  #addRow(r: CompareResult): void {
    const row = this.#table.tBodies[0]!.insertRow();
    row.dataset.variant = r.variant;
    row.dataset.finalLoss = String(r.finalLoss);
    row.dataset.lowerGradNorm = String(r.lowerGradNorm);
    const cells = [
      r.variant,
      String(r.layers),
      r.parameters.toLocaleString("en"),
      r.finalLoss.toFixed(4),
      r.lowerGradNorm.toFixed(4),
      r.imagesPerSec.toFixed(1),
    ];
    for (const text of cells) row.insertCell().textContent = text;
  }
}
