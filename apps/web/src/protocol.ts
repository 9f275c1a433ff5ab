/** The messages between the page and the training worker (both directions), and the shared view types. */
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

export type ToWorker =
  | { type: "probe" }
  | { type: "start"; config: TrainConfig; data: DataChoice; fromLoaded: boolean }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" }
  | { type: "evaluate"; config: TrainConfig; data: DataChoice }
  | { type: "load-checkpoint"; name: string; bytes: ArrayBuffer }
  | { type: "save-checkpoint" };

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
  | { type: "error"; message: string };
