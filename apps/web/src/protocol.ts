/** The messages between the page and the training worker (both directions), and the shared view types. */
import type { VariantSpec } from "@resnet-ts/layers";
import type { TrainConfig, VariantRunOptions, VariantRunResult } from "@resnet-ts/trainer";

/**
 * Where the worker takes its data from: a generated asset (the URL of its folder of gzipped IDX files),
 * IDX files the user dropped, or the user's images as last loaded by a `load-images` message (`key`
 * names that load).
 */
export type DataChoice =
  | { kind: "asset"; url: string; label: string }
  | { kind: "idx"; files: { name: string; bytes: ArrayBuffer }[] }
  | { kind: "images"; key: string };

/** The user's images: a picked folder's files (paths inside it) or one `.zip` of class folders. */
export interface ImagesRequest {
  key: string;
  /** The folder's or the zip's name, for messages. */
  source: string;
  files: { path: string; bytes: ArrayBuffer }[];
  imageSize: number;
  valFraction: number;
  seed: number;
}

/** What the worker found in the user's images, shown before training. */
export interface ImagesReport {
  key: string;
  /** One line: the layout, classes, counts, split and stored size. */
  line: string;
  warnings: string[];
  classNames: string[];
  trainCounts: number[];
  testCounts: number[];
  /** A few stored training images per class. */
  samples: SampleGrid;
}

/** A backend the user can pick, as the worker found it. */
export interface BackendOption {
  name: string;
  label: string;
  /** Why it is or is not a good choice here (renderer name, missing isolation, ...). */
  note: string;
  usable: boolean;
}

/** One backend's timed training steps (measured backend choice); null figures with the error when it failed. */
export interface BackendTiming {
  name: string;
  imagesPerSecond: number | null;
  msPerStep: number | null;
  error: string | null;
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
  /** `count` images of `channels` x `side` x `side` uint8 pixels (CHW). */
  pixels: Uint8Array;
  labels: number[];
  side: number;
  channels: 1 | 3;
  /** Label k's name. */
  classNames: readonly string[];
  /** Draw dark on light (Fashion-MNIST's white-on-black garments), or the pixels as they are. */
  invert: boolean;
}

export interface EvalReport {
  accuracy: number;
  loss: number;
  examples: number;
  confusion: number[][];
  /** Predictions for the sample grid's images, in grid order. */
  samplePredictions: number[];
}

/** One network of a comparison: a block arrangement, with or without shortcuts (of basic blocks). */
export type CompareVariant = Pick<VariantSpec, "arrangement" | "plain">;

/**
 * A comparison: every variant trains on the same data, seed, batch order and step budget. The run's
 * settings are the trainer's (`trainVariant`'s options, `resize` null for 28); the form offers d2l's
 * ResNet-18 or n for the CIFAR family (`cifarResnet`, 6n + 2 layers) at `widths`.
 */
export interface CompareSettings
  extends Required<
    Pick<
      VariantRunOptions,
      "depth" | "widths" | "steps" | "batchSize" | "lr" | "seed" | "resize" | "recordEvery"
    >
  > {
  variants: CompareVariant[];
  /** The first this many training examples. */
  trainLimit: number;
  backend: string | null;
}

/** A finished variant, as the results table shows it: the trainer's result without the loss curve. */
export type CompareResult = Omit<VariantRunResult, "losses" | "testAccuracy" | "stopped"> & { steps: number };

/** The settings the form leaves to "auto": the worker takes them from the data (`dataDefaults`), as the CLI. */
export interface AutoSettings {
  augment: boolean;
  normalize: boolean;
}

export type ToWorker =
  /** `measureBackends`: time the backends before training even without a hardware GPU (`?measure-backends`). */
  | { type: "probe"; measureBackends?: boolean }
  /** `pretrained`: fine-tune from the weights of the last `load-pretrained` (a new model, the head replaced as needed). */
  | {
      type: "start";
      config: TrainConfig;
      data: DataChoice;
      fromLoaded: boolean;
      pretrained: boolean;
      auto: AutoSettings;
    }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" }
  | { type: "evaluate"; config: TrainConfig; data: DataChoice }
  | { type: "load-checkpoint"; name: string; bytes: ArrayBuffer }
  /** PyTorch weights to fine-tune from (.pth/.pt from torch.save, or .safetensors): read now, fitted at start. */
  | { type: "load-pretrained"; name: string; bytes: ArrayBuffer }
  | { type: "save-checkpoint" }
  | { type: "load-images"; request: ImagesRequest }
  | { type: "compare"; settings: CompareSettings; data: DataChoice };

export type FromWorker =
  | { type: "backends"; options: BackendOption[]; recommended: string }
  | { type: "state"; state: RunState; message: string }
  | { type: "backend"; name: string }
  /** The measured choice: training steps timed at `side` x `side`, batch `batchSize`; `chosen` is the fastest. */
  | { type: "backend-timings"; side: number; batchSize: number; timings: BackendTiming[]; chosen: string }
  | { type: "summary"; text: string }
  | { type: "samples"; grid: SampleGrid }
  | { type: "images-progress"; key: string; done: number; total: number }
  | { type: "images-loaded"; report: ImagesReport }
  | { type: "images-failed"; key: string; message: string }
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
  /**
   * A checkpoint loaded; `settings`: what it was trained with, for the form and the data panel (null
   * config: a bare weights file; null imageSize/valFraction: not trained on class folders).
   */
  | {
      type: "checkpoint-loaded";
      name: string;
      message: string;
      settings: { config: TrainConfig | null; imageSize: number | null; valFraction: number | null };
    }
  /** A pretrained weights file read (`ok`: its one line and the reader's notes) or refused (`ok: false`: why, one line). */
  | { type: "pretrained-read"; name: string; ok: boolean; message: string }
  /** What fine-tuning from the pretrained weights did: the loaded line, the loader's notes, what is frozen. */
  | { type: "pretrained-notes"; lines: string[] }
  | { type: "checkpoint"; bytes: ArrayBuffer; fileName: string }
  | { type: "error"; message: string }
  | { type: "compare-begin"; index: number; variant: string; layers: number; parameters: number }
  /** Training losses of steps `firstStep`, `firstStep + 1`, ... of variant `index` (1-based steps). */
  | { type: "compare-losses"; index: number; firstStep: number; losses: number[] }
  /** Variant `index`'s gradient norm per stage so far (mean over the recorded steps). */
  | { type: "compare-norms"; index: number; stages: string[]; means: number[] }
  | { type: "compare-end"; index: number; result: CompareResult }
  | { type: "compare-done"; completed: number; stopped: boolean };
