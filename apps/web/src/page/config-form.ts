/**
 * The training form: reads the fields into a config input, validates it with the trainer's zod schema
 * (`resolveConfig`: defaults < preset < the fields) and shows each issue under its field.
 */
import { BLOCK_ARRANGEMENTS } from "@resnet-ts/layers";
import { ConfigError, type PresetName, resolveConfig, type TrainConfig } from "@resnet-ts/trainer";
import type { AutoSettings } from "../protocol.js";

const REQUIRED = [
  "epochs",
  "batchSize",
  "lr",
  "momentum",
  "weightDecay",
  "warmupEpochs",
  "labelSmoothing",
  "randomErasing",
  "seed",
  "headLrMult",
] as const;
const OPTIONAL = ["steps", "trainLimit", "testLimit"] as const;
const CHECKBOXES = ["plain", "smallStem", "zeroInitResidual", "freezeBn"] as const;
const SELECTS = ["schedule", "arrangement", "model", "freeze", "tta"] as const;
/** Selects whose "auto" leaves the choice to the data (the worker's `dataDefaults`); presets do not set them. */
const AUTO_SELECTS = ["augment", "normalize"] as const;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class ConfigForm {
  readonly form = $<HTMLFormElement>("config-form");
  readonly #preset = $<HTMLSelectElement>("preset");
  readonly #resize = $<HTMLSelectElement>("resize");
  readonly #backend = $<HTMLSelectElement>("backend-choice");
  readonly #arrangement = $<HTMLSelectElement>("arrangement");

  constructor(onChange: () => void) {
    for (const name of BLOCK_ARRANGEMENTS) this.#arrangement.add(new Option(name, name));
    this.#preset.addEventListener("change", () => {
      this.fill(resolveConfig({ preset: (this.#preset.value || null) as PresetName | null }));
      onChange();
    });
    this.form.addEventListener("input", onChange);
    this.fill(resolveConfig({ preset: "quick" }));
  }

  /** Shows `config`'s values in the fields (the backend choice and the "auto" selects are left as they are). */
  fill(config: TrainConfig): void {
    this.#preset.value = config.preset ?? "";
    for (const key of REQUIRED) $<HTMLInputElement>(key).value = String(config[key]);
    for (const key of OPTIONAL)
      $<HTMLInputElement>(key).value = config[key] === null ? "" : String(config[key]);
    this.#resize.value = String(config.resize ?? 28);
    for (const key of SELECTS) $<HTMLSelectElement>(key).value = config[key];
    for (const key of CHECKBOXES) $<HTMLInputElement>(key).checked = config[key];
  }

  /** The fields as a config input: empty optional fields mean "all" (null), empty required ones NaN. */
  read(): Record<string, unknown> {
    const input: Record<string, unknown> = { preset: this.#preset.value || null };
    for (const key of REQUIRED) input[key] = $<HTMLInputElement>(key).valueAsNumber;
    for (const key of OPTIONAL) {
      const el = $<HTMLInputElement>(key);
      input[key] = el.value === "" ? null : el.valueAsNumber;
    }
    input.resize = this.#resize.value === "28" ? null : Number(this.#resize.value);
    for (const key of SELECTS) input[key] = $<HTMLSelectElement>(key).value;
    for (const key of AUTO_SELECTS) {
      const value = $<HTMLSelectElement>(key).value;
      if (value !== "auto") input[key] = value;
    }
    for (const key of CHECKBOXES) input[key] = $<HTMLInputElement>(key).checked;
    input.backend = this.#backend.value || null;
    return input;
  }

  /** Which of the "auto" selects say auto (their config values are the defaults until the worker sees the data). */
  auto(): AutoSettings {
    const auto = (key: (typeof AUTO_SELECTS)[number]) => $<HTMLSelectElement>(key).value === "auto";
    return { augment: auto("augment"), normalize: auto("normalize") };
  }

  /** The validated config, or null after showing the issues (returned as text too). */
  validate(): { config: TrainConfig | null; problems: string } {
    for (const el of this.form.querySelectorAll<HTMLElement>("[data-issue-for]")) el.textContent = "";
    try {
      return { config: resolveConfig(this.read()), problems: "" };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) {
        const id = issue.field === "backend" ? "backend-choice" : issue.field;
        const slot = this.form.querySelector(`[data-issue-for="${id}"]`);
        if (slot) slot.textContent = issue.message;
      }
      return { config: null, problems: error.message };
    }
  }

  /** Lists the backends the worker offers; `recommended` is named in the "automatic" entry. */
  setBackends(
    options: { name: string; label: string; note: string; usable: boolean }[],
    recommended: string,
  ): void {
    const auto = options.find((o) => o.name === recommended);
    this.#backend.replaceChildren(new Option(`automatic (${auto?.label ?? recommended})`, ""));
    for (const o of options) {
      const option = new Option(`${o.label}: ${o.note}`, o.name);
      option.disabled = !o.usable;
      this.#backend.add(option);
    }
  }

  setEnabled(enabled: boolean): void {
    for (const el of this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select")) {
      el.disabled = !enabled;
    }
  }
}
