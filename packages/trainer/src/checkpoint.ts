/**
 * Checkpoints (browser-safe part): the model's weights as one safetensors file holding exactly its state
 * dict (PyTorch keys, so `torch.nn.Module.load_state_dict(strict=True)` takes it) with the run's metadata,
 * and the training state (optimizer momentum + progress) as a second safetensors file beside it. A shared
 * random `checkpoint_id` in both headers ties the pair together.
 */
import type { LoadResult, Module, StateDict } from "@resnet-ts/layers";
import type { z } from "zod";
import {
  MetadataCountSchema,
  metadataIssues,
  TrainProgressSchema,
  TrainStateOptimizerSchema,
} from "./checkpoint-metadata.js";
import { parseStoredConfig, type TrainConfig } from "./config.js";
import { type DataRecord, parseDataRecord } from "./data-record.js";
import { decodeSafetensors, encodeSafetensors, type SafetensorsMetadata } from "./safetensors.js";
import type { SGD } from "./sgd.js";
import type { TrainingState, TrainProgress } from "./trainer.js";

export const CHECKPOINT_FORMAT = "resnet-ts.weights/1";
export const TRAIN_STATE_FORMAT = "resnet-ts.train-state/1";

export interface CheckpointOptions {
  config?: TrainConfig;
  /** What the run trains on (written as the `data` metadata, read back as `info.data`). */
  data?: DataRecord;
  /** With `progress`, also encodes the training state, for resuming. */
  optimizer?: SGD;
  progress?: TrainProgress;
  /** More `__metadata__` entries (numbers are written as strings), e.g. `{ test_accuracy: 0.91 }`. */
  metadata?: Record<string, string | number | boolean>;
  /** Defaults to now. */
  date?: Date;
}

export interface EncodedCheckpoint {
  weights: Uint8Array;
  /** Null unless both `optimizer` and `progress` were given. */
  trainState: Uint8Array | null;
  id: string;
}

/** What a weights file's `__metadata__` says, parsed. */
export interface CheckpointInfo {
  format: string;
  id: string | null;
  date: string | null;
  config: TrainConfig | null;
  /** Epochs finished and optimizer steps done when it was written (null when not recorded). */
  epoch: number | null;
  step: number | null;
  /** What the run trained on (null when not recorded, e.g. written before this was recorded). */
  data: DataRecord | null;
}

export interface Checkpoint {
  stateDict: StateDict;
  /** The raw `__metadata__` of the weights file. */
  metadata: SafetensorsMetadata;
  info: CheckpointInfo;
  /** Present when the training state was decoded with it. */
  training: TrainingState | null;
}

/** A checkpoint that is valid safetensors but not a usable checkpoint (wrong format, mismatched pair). */
export class CheckpointError extends Error {
  /** The message without its "checkpoint: " prefix. */
  constructor(readonly detail: string) {
    super(`checkpoint: ${detail}`);
    this.name = "CheckpointError";
  }
}

const momentumKey = (i: number) => `state.${i}.momentum_buffer`;

function randomId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Encodes the model's weights (and, with optimizer + progress, the training state). The values are read
 * asynchronously (`Module.readStateDict`, `SGD.readStateDict`), so a backend that cannot read synchronously
 * (gpu.js on WebGPU) saves too; every read and the metadata are taken at the call, so training that goes on
 * while the reads finish does not leak into the file.
 */
export async function encodeCheckpoint(
  model: Module,
  options: CheckpointOptions = {},
): Promise<EncodedCheckpoint> {
  const { config, optimizer, progress } = options;
  const names = model.namedParameters();
  const training = optimizer && progress ? optimizer : null;
  if (
    training &&
    (names.length !== training.params.length || names.some(([, t], i) => t !== training.params[i]))
  ) {
    throw new CheckpointError("the optimizer's parameters are not the model's parameters() in order");
  }
  const reads = Promise.all([model.readStateDict(), training?.readStateDict() ?? null]);
  const id = randomId();
  const metadata: SafetensorsMetadata = {
    format: CHECKPOINT_FORMAT,
    checkpoint_id: id,
    date: (options.date ?? new Date()).toISOString(),
  };
  if (config) metadata.config = JSON.stringify(config);
  if (options.data) metadata.data = JSON.stringify(options.data);
  if (progress) {
    metadata.epoch = String(progress.epochsDone);
    metadata.step = String(progress.globalStep);
  }
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata[key] = String(value);
  const progressText = progress ? JSON.stringify(progress) : "";
  const [weightsDict, state] = await reads;
  const weights = encodeSafetensors(weightsDict, metadata);
  if (!state) return { weights, trainState: null, id };

  const tensors: StateDict = {};
  state.momentumBuffers.forEach((b, i) => {
    if (b) tensors[momentumKey(i)] = { dtype: "float32", shape: b.shape, data: b.data };
  });
  const trainState = encodeSafetensors(tensors, {
    format: TRAIN_STATE_FORMAT,
    checkpoint_id: id,
    optimizer: JSON.stringify({
      type: "SGD",
      hyperparameters: state.hyperparameters,
      stepCount: state.stepCount,
      parameters: names.map(([name]) => name),
    }),
    progress: progressText,
    ...(config ? { config: metadata.config } : {}),
  });
  return { weights, trainState, id };
}

/** An error decoding one file of a checkpoint pair; `part` says which (the message is the cause's). */
export class CheckpointPartError extends Error {
  constructor(
    readonly part: "weights" | "trainState",
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "CheckpointPartError";
  }
}

function inPart<T>(part: CheckpointPartError["part"], run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new CheckpointPartError(part, error);
  }
}

/**
 * Decodes a weights file (and optionally its training-state file), checking formats and that they pair up.
 * Throws CheckpointPartError, saying which file is bad.
 */
export function decodeCheckpoint(weights: Uint8Array, trainState: Uint8Array | null = null): Checkpoint {
  const { file, info } = inPart("weights", () => {
    const file = decodeSafetensors(weights);
    return { file, info: readInfo(file.metadata) };
  });
  const training = trainState
    ? inPart("trainState", () => decodeTrainState(trainState, info, file.tensors))
    : null;
  return { stateDict: file.tensors, metadata: file.metadata, info, training };
}

function decodeTrainState(trainState: Uint8Array, info: CheckpointInfo, weights: StateDict): TrainingState {
  const state = decodeSafetensors(trainState);
  const m = state.metadata;
  if (m.format !== TRAIN_STATE_FORMAT) {
    throw new CheckpointError(
      `the training state has format ${JSON.stringify(m.format)}, expected ${TRAIN_STATE_FORMAT}`,
    );
  }
  if (m.checkpoint_id !== info.id) {
    throw new CheckpointError(
      `the training state (checkpoint_id ${m.checkpoint_id}) was not written with these weights ` +
        `(checkpoint_id ${info.id}); resume from a matching pair, or load the weights alone`,
    );
  }
  const optimizer = readMetadata(TrainStateOptimizerSchema, m.optimizer, "optimizer");
  const progress: TrainProgress = readMetadata(TrainProgressSchema, m.progress, "progress");
  const momentumBuffers = optimizer.parameters.map((_, i) => {
    const t = state.tensors[momentumKey(i)];
    if (!t) return null;
    if (!(t.data instanceof Float32Array)) throw new CheckpointError(`${momentumKey(i)} must be F32`);
    return { shape: t.shape, data: t.data };
  });
  const known = new Set(optimizer.parameters.map((_, i) => momentumKey(i)));
  const stray = Object.keys(state.tensors).filter((k) => !known.has(k));
  if (stray.length)
    throw new CheckpointError(`the training state has unexpected tensors: ${stray.join(", ")}`);
  const training: TrainingState = {
    progress,
    optimizer: {
      hyperparameters: optimizer.hyperparameters,
      stepCount: optimizer.stepCount,
      momentumBuffers,
    },
  };
  const missing = optimizer.parameters.filter((name) => !(name in weights));
  if (missing.length) {
    throw new CheckpointError(
      `the training state names parameters missing from the weights: ${missing.join(", ")}`,
    );
  }
  return training;
}

function readInfo(m: SafetensorsMetadata): CheckpointInfo {
  const format = m.format ?? "safetensors";
  if (format !== CHECKPOINT_FORMAT && format.startsWith("resnet-ts.weights/")) {
    throw new CheckpointError(`the weights have format ${format}; this version reads ${CHECKPOINT_FORMAT}`);
  }
  if (format !== CHECKPOINT_FORMAT) {
    // A file from elsewhere (e.g. PyTorch): only its tensors mean something here.
    return { format, id: null, date: null, config: null, epoch: null, step: null, data: null };
  }
  const count = (key: string) => {
    const v = m[key];
    if (v === undefined) return null;
    const n = MetadataCountSchema.safeParse(v);
    if (!n.success) throw new CheckpointError(`metadata ${key} is ${JSON.stringify(v)}, expected a count`);
    return n.data;
  };
  return {
    format,
    id: m.checkpoint_id ?? null,
    date: m.date ?? null,
    // Fields added to the config after a checkpoint was written take their defaults, renamed ones their new names.
    config: m.config === undefined ? null : parseStoredConfig(parseJson(m.config, "config")),
    epoch: count("epoch"),
    step: count("step"),
    data: m.data === undefined ? null : readDataRecord(m.data),
  };
}

function readDataRecord(text: string): DataRecord {
  try {
    return parseDataRecord(parseJson(text, "data"));
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`metadata data is not a data description (${(error as Error).message})`);
  }
}

/** Metadata entry `what`, JSON text validated with `schema`; the error names the entry and each bad field. */
function readMetadata<S extends z.ZodType>(schema: S, text: string | undefined, what: string): z.infer<S> {
  const result = schema.safeParse(parseJson(text, what));
  if (!result.success) throw new CheckpointError(`metadata ${what}: ${metadataIssues(result.error)}`);
  return result.data;
}

function parseJson<T>(text: string | undefined, what: string): T {
  if (text === undefined) throw new CheckpointError(`the metadata has no ${what}`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CheckpointError(`metadata ${what} is not valid JSON (${(error as Error).message})`);
  }
}

/** Decodes a weights file and loads it into `model` (`Module.loadStateDict`: a StateDictError names every misfit). */
export function loadWeightsFromBytes(
  model: Module,
  bytes: Uint8Array,
  options: { strict?: boolean } = {},
): LoadResult & { info: CheckpointInfo } {
  const { stateDict, info } = decodeCheckpoint(bytes);
  return { ...model.loadStateDict(stateDict, options), info };
}
