/** The messages between the page and the training worker (both directions), and the shared view types. */
import type { BlockArrangement } from "@resnet-ts/layers";
import type { TrainConfig } from "@resnet-ts/trainer";

/** Where the worker takes its data from: a generated asset (by URL) or IDX files the user dropped. */
export type DataChoice =
  | { kind: "asset"; url: string; label: string }
  | { kind: "idx"; files: { name: string; bytes: ArrayBuffer }[] };

/** A backend the user can pick, as the worker found it. */
export interface BackendOption {
  name: string;
  label: string;
  /** Why it is or is not a good choice here (renderer name, missing isolation, ...). */
  note: string;
  usable: boolean;
}

export type RunState =
  | "idle"
  | "loading"
  | "training"
  | "paused"
  | "evaluating"
  | "stopped"
  | "done"
  | "failed";

export interface SampleGrid {
  /** `count` images of `side` x `side` uint8 pixels. */
  pixels: Uint8Array;
  labels: number[];
  side: number;
}

export interface EvalReport {
  accuracy: number;
  loss: number;
  examples: number;
  confusion: number[][];
  /** Predictions for the sample grid's images, in grid order. */
  samplePredictions: number[];
}

/** One network of a comparison: a block arrangement, with or without shortcuts. */
export interface CompareVariant {
  arrangement: BlockArrangement;
  plain: boolean;
}

/** A comparison: every variant trains on the same data, seed, batch order and step budget. */
export interface CompareSettings {
  variants: CompareVariant[];
  /** d2l's ResNet-18, or n for the CIFAR family (`cifarResnet`, 6n + 2 layers) at `widths`. */
  depth: "resnet18" | number;
  widths: number[];
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** The first this many training examples. */
  trainLimit: number;
  /** Side of the images (null: 28). */
  resize: number | null;
  /** Gradient norms every this many steps. */
  recordEvery: number;
  backend: string | null;
}

/** A finished variant, as the results table shows it. */
export interface CompareResult {
  variant: string;
  layers: number;
  parameters: number;
  /** Mean training loss over the last 10% of the steps. */
  finalLoss: number;
  /** Stage names (top-level children with parameters) and their gradient norms, mean over the recorded steps. */
  stages: string[];
  gradNorms: number[];
  /** The first block stage's ("1") mean gradient norm. */
  lowerGradNorm: number;
  imagesPerSec: number;
  steps: number;
}

export type ToWorker =
  | { type: "probe" }
  | { type: "start"; config: TrainConfig; data: DataChoice; fromLoaded: boolean }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" }
  | { type: "evaluate"; config: TrainConfig; data: DataChoice }
  | { type: "load-checkpoint"; name: string; bytes: ArrayBuffer }
  | { type: "save-checkpoint" }
  | { type: "compare"; settings: CompareSettings; data: DataChoice };

export type FromWorker =
  | { type: "backends"; options: BackendOption[]; recommended: string }
  | { type: "state"; state: RunState; message: string }
  | { type: "backend"; name: string }
  | { type: "summary"; text: string }
  | { type: "samples"; grid: SampleGrid }
  | {
      type: "batch";
      step: number;
      epoch: number;
      loss: number;
      accuracy: number;
      imagesPerSec: number;
      lr: number;
    }
  | { type: "epoch"; epoch: number; trainLoss: number; trainAccuracy: number; eval: EvalReport | null }
  | { type: "eval"; eval: EvalReport }
  | { type: "checkpoint-loaded"; name: string; message: string }
  | { type: "checkpoint"; bytes: ArrayBuffer; fileName: string }
  | { type: "error"; message: string }
  | { type: "compare-begin"; index: number; variant: string; layers: number; parameters: number }
  /** Training losses of steps `firstStep`, `firstStep + 1`, ... of variant `index` (1-based steps). */
  | { type: "compare-losses"; index: number; firstStep: number; losses: number[] }
  /** Variant `index`'s gradient norm per stage so far (mean over the recorded steps). */
  | { type: "compare-norms"; index: number; stages: string[]; means: number[] }
  | { type: "compare-end"; index: number; result: CompareResult }
  | { type: "compare-done"; completed: number; stopped: boolean };
