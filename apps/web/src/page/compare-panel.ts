/**
 * The "Compare variants" panel: reads and checks its settings (the shared ones through the trainer's schema,
 * `resolveConfig`), asks the worker for a comparison, and shows what streams back: the charts, the status
 * line and the results table. A study preset fills in the published study's settings and shows its
 * recorded results, beside which each live run's result is set as it finishes.
 */
import { type BlockArrangement, parseVariant, variantName } from "@resnet-ts/layers";
import {
  ConfigError,
  type RecordedStudy,
  resolveConfig,
  STUDY_PRESETS,
  type StudyPresetName,
  settingsMismatch,
} from "@resnet-ts/trainer";
import type { CompareResult, CompareSettings, CompareVariant, FromWorker } from "../protocol.js";
import { CompareCharts } from "./compare-charts.js";
import { RECORDED_STUDIES } from "./recorded-study.js";

const pm = (s: { mean: number; sd: number; n: number }, scale: number, digits: number) =>
  `${(scale * s.mean).toFixed(digits)}${s.n > 1 ? ` ± ${(scale * s.sd).toFixed(digits)}` : ""}`;

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
  #recorded: RecordedStudy | null = null;

  constructor() {
    $<HTMLSelectElement>("cmp-preset").addEventListener("change", (event) =>
      this.applyPreset((event.target as HTMLSelectElement).value),
    );
  }

  /** Fills the form with a study preset's settings (its deepest depth) and shows its recorded results. */
  applyPreset(name: string): void {
    const box = $("compare-recorded-box");
    if (!(name in STUDY_PRESETS)) {
      this.#recorded = null;
      box.hidden = true;
      return;
    }
    const p = STUDY_PRESETS[name as StudyPresetName];
    const wanted = new Set(p.variants.map((v) => variantName(parseVariant(v))));
    for (const box of this.form.querySelectorAll<HTMLInputElement>(".cmp-variant")) {
      const v = { block: "basic" as const, arrangement: box.dataset.arrangement as BlockArrangement };
      box.checked = wanted.has(variantName({ ...v, plain: box.dataset.plain === "true" }));
    }
    const set = (id: string, value: string | number) => {
      $<HTMLInputElement | HTMLSelectElement>(id).value = String(value);
    };
    set("cmp-depth", p.depths.at(-1)!);
    set("cmp-widths", p.widths.join(","));
    set("cmp-steps", p.steps);
    set("cmp-batch", p.batchSize);
    set("cmp-lr", p.lr);
    set("cmp-seed", p.seeds[0]!);
    set("cmp-train", p.trainLimit);
    set("cmp-every", p.recordEvery);
    set("cmp-resize", p.resize ?? 28);
    this.#recorded = RECORDED_STUDIES.get(name) ?? null;
    $("compare-recorded-name").textContent = `${name}: ${p.description}`;
    box.hidden = false;
    this.#renderRecorded(
      this.#recorded
        ? `Recorded with resnet-ts compare --preset ${name} (seeds ${this.#recorded.plan.seeds.join(", ")}; mean ± sd over seeds). ` +
            `Pick variants and a depth (the preset fills in ${p.depths.map((d) => `n=${d}`).join(" and ")}) and press Compare: each live result appears beside its recorded row.` +
            (this.#recorded.missing?.length
              ? ` Not recorded (the study was cut short): ${this.#recorded.missing.join(", ")}.`
              : "")
        : `No recorded results for ${name} in this build (run resnet-ts compare --preset ${name} --out docs/compare/study).`,
    );
  }

  #renderRecorded(note: string): void {
    $("compare-recorded-note").textContent = note;
    const body = $<HTMLTableElement>("compare-recorded").tBodies[0]!;
    body.replaceChildren();
    for (const s of this.#recorded?.summaries ?? []) {
      const row = body.insertRow();
      row.dataset.variant = s.variant;
      row.dataset.layers = String(s.layers);
      const stage1 = s.gradNorms[s.stages.indexOf("1")];
      const cells = [
        s.variant,
        String(s.layers),
        s.seeds.join(","),
        pm(s.finalLoss, 1, 4),
        pm(s.testError, 100, 2),
        stage1 ? pm(stage1, 1, 3) : "-",
        "",
        "",
      ];
      for (const text of cells) row.insertCell().textContent = text;
    }
  }

  /** Sets a live result beside its recorded row, saying when the live run's settings differ. */
  #showLive(r: CompareResult): void {
    const study = this.#recorded;
    const s = this.#settings;
    if (!study || !s) return;
    const row = [...$<HTMLTableElement>("compare-recorded").tBodies[0]!.rows].find(
      (x) => x.dataset.variant === r.variant && x.dataset.layers === String(r.layers),
    );
    if (!row) return;
    const mismatch = [
      settingsMismatch(study.settings, {
        ...study.settings,
        steps: s.steps,
        batchSize: s.batchSize,
        lr: s.lr,
        trainLimit: s.trainLimit,
        widths: s.depth === "resnet18" ? study.settings.widths : [...s.widths],
        resize: s.resize,
        recordEvery: s.recordEvery,
      }),
      study.plan.seeds.includes(s.seed) ? null : `seed ${s.seed} not among the recorded seeds`,
    ]
      .filter(Boolean)
      .join("; ");
    row.cells[6]!.textContent = `${r.finalLoss.toFixed(4)}${mismatch ? " *" : ""}`;
    row.cells[7]!.textContent = `${r.lowerGradNorm.toFixed(3)}${mismatch ? " *" : ""}`;
    row.dataset.live = mismatch ? "other-settings" : "same-settings";
    if (mismatch) row.title = `* the live run's settings differ from the recorded ones: ${mismatch}`;
  }

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
        this.#showLive(msg.result);
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
      r.imagesPerSecond.toFixed(1),
    ];
    for (const text of cells) row.insertCell().textContent = text;
  }
}
