/**
 * A comparison study as data, shared by `resnet-ts compare` and the web app: the planned runs (variant x
 * depth x seed, each with a stable key so that a resumed study can skip what is done), the check that a
 * folder's earlier runs were trained with the same settings, the presets of the published study, and the
 * aggregation of runs over seeds (mean and spread of final loss, test error, per-stage gradient norms and
 * the loss curve).
 */

/** The --depth values: a torchvision preset or the CIFAR family's n (6n+2 layers). */
export type StudyDepth = "resnet18" | "resnet34" | number;

/** What every run of a study shares; two runs are comparable only if these are equal. */
export interface TrainingSettings {
  steps: number;
  batchSize: number;
  lr: number;
  trainLimit: number;
  testLimit: number;
  widths: number[];
  resize: number | null;
  recordEvery: number;
  data: string;
}

export interface StudyPlan {
  variants: string[];
  depths: StudyDepth[];
  seeds: number[];
}

export interface PlannedRun {
  key: string;
  variant: string;
  depth: StudyDepth;
  seed: number;
}

/** One trained (variant, depth, seed). */
export interface StudyRun {
  variant: string;
  depthSpec: StudyDepth;
  seed: number;
  /** Weighted layers on the main path. */
  layers: number;
  parameters: number;
  /** Training loss of every step. */
  losses: number[];
  /** Mean loss over the last 10% of steps. */
  finalLoss: number;
  testAccuracy: number;
  /** Stage names (top-level children with parameters) and their mean gradient norms over the recorded steps. */
  stages: string[];
  gradNorms: number[];
  /** Gradient norm of the first block stage ("1"). */
  lowerGradNorm: number;
  imagesPerSecond: number;
}

/** The file-name-safe key of one run, e.g. "plain-full-preact_d9_s1". */
export const runKey = (variant: string, depth: StudyDepth, seed: number): string =>
  `${variant}_d${depth}_s${seed}`;

/**
 * Every run of `plan`, seed-major (all variants and depths of the first seed, then the next seed), so that
 * a study cut short has one complete seed before a second one.
 */
export function plannedRuns(plan: StudyPlan): PlannedRun[] {
  return plan.seeds.flatMap((seed) =>
    plan.depths.flatMap((depth) =>
      plan.variants.map((variant) => ({ key: runKey(variant, depth, seed), variant, depth, seed })),
    ),
  );
}

const FIELD_FLAGS: Record<keyof TrainingSettings, string> = {
  steps: "--steps",
  batchSize: "--batch-size",
  lr: "--lr",
  trainLimit: "--train-limit",
  testLimit: "--test-limit",
  widths: "--widths",
  resize: "--resize",
  recordEvery: "--record-every",
  data: "--data",
};

/**
 * Null when `stored` (the settings an output folder's runs were trained with) equals `wanted`; otherwise a
 * message naming each differing setting with both values.
 */
export function settingsMismatch(stored: TrainingSettings, wanted: TrainingSettings): string | null {
  const show = (v: unknown) =>
    v === null || v === undefined ? "none" : Array.isArray(v) ? v.join(",") : String(v);
  const differences = (Object.keys(FIELD_FLAGS) as (keyof TrainingSettings)[])
    .filter((k) => show(stored[k]) !== show(wanted[k]))
    .map((k) => `${FIELD_FLAGS[k]} ${show(stored[k])} there, ${show(wanted[k])} now`);
  return differences.length ? differences.join("; ") : null;
}

export interface Spread {
  mean: number;
  /** Sample standard deviation (0 for one value). */
  sd: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error("spread: no values");
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), n };
}

/** A (variant, depth) over its seeds. */
export interface VariantSummary {
  variant: string;
  depthSpec: StudyDepth;
  layers: number;
  parameters: number;
  seeds: number[];
  finalLoss: Spread;
  /** 1 - test accuracy. */
  testError: Spread;
  stages: string[];
  /** Per stage, over seeds. */
  gradNorms: Spread[];
  /** Mean over seeds of each step's loss (as long as the shortest run). */
  meanLosses: number[];
}

/** Groups `runs` by (variant, depth) in order of first appearance and summarises each group over its seeds. */
export function summarize(runs: readonly StudyRun[]): VariantSummary[] {
  const groups = new Map<string, StudyRun[]>();
  for (const r of runs) {
    const key = `${r.variant}_d${r.depthSpec}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    for (const r of group) {
      if (r.stages.join() !== first.stages.join()) {
        throw new Error(
          `summarize: ${r.variant} depth ${r.depthSpec} seed ${r.seed} has stages ${r.stages.join(",")}, seed ${first.seed} has ${first.stages.join(",")}`,
        );
      }
    }
    const steps = Math.min(...group.map((r) => r.losses.length));
    return {
      variant: first.variant,
      depthSpec: first.depthSpec,
      layers: first.layers,
      parameters: first.parameters,
      seeds: group.map((r) => r.seed),
      finalLoss: spread(group.map((r) => r.finalLoss)),
      testError: spread(group.map((r) => 1 - r.testAccuracy)),
      stages: first.stages,
      gradNorms: first.stages.map((_, i) => spread(group.map((r) => r.gradNorms[i]!))),
      meanLosses: Array.from(
        { length: steps },
        (_, s) => group.reduce((a, r) => a + r.losses[s]!, 0) / group.length,
      ),
    };
  });
}

/** A finished study's summaries, as `compare` writes them to <name>.summary.json (the web app shows them). */
export interface RecordedStudy {
  name: string;
  settings: TrainingSettings;
  plan: StudyPlan;
  summaries: VariantSummary[];
  /** Keys of the planned runs not done when it was written (`compare --report-only`). */
  missing: string[];
}

/** A study as a preset: what `compare --preset` and the web app's presets fill in. */
export interface StudyPreset extends StudyPlan, TrainingSettings {
  description: string;
}

/**
 * The published study (docs/compare): Fashion-MNIST at 28x28, the CIFAR family with widths 16/32/64, plain
 * SGD at a fixed budget. The two presets share their training settings, so the residual-56 runs of one are
 * the original-56 runs of the other.
 */
const STUDY_TRAINING: TrainingSettings = {
  steps: 200,
  batchSize: 32,
  lr: 0.05,
  trainLimit: 10_000,
  testLimit: 2000,
  widths: [16, 32, 64],
  resize: null,
  recordEvery: 10,
  data: "fashion-mnist",
};

export const STUDY_PRESETS = {
  depth: {
    description: "plain vs residual (original) at 20 and 56 layers (He et al. 2015, Fig. 6)",
    variants: ["original", "plain"],
    depths: [3, 9],
    seeds: [0, 1],
    ...STUDY_TRAINING,
  },
  arrangements: {
    description: "the five block arrangements at 56 layers (He et al. 2016, Table 2)",
    variants: ["original", "bn-after-add", "relu-before-add", "relu-preact", "full-preact"],
    depths: [9],
    seeds: [0, 1],
    ...STUDY_TRAINING,
  },
} satisfies Record<string, StudyPreset>;
export type StudyPresetName = keyof typeof STUDY_PRESETS;
