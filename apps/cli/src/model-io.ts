/**
 * Reading checkpoints named by a flag (`--checkpoint`, `--init`, `--resume`) with errors that name the flag
 * and the file, and building the model for `eval` and `predict` from one.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { type DataSplits, type Preprocessing, parsePreprocessing } from "@resnet-ts/data";
import type { ImageLoadOptions } from "@resnet-ts/data/node";
import { type Module, type StateDict, StateDictError } from "@resnet-ts/layers";
import {
  type Checkpoint,
  CheckpointFitError,
  type CheckpointInfo,
  checkHead,
  modelFromCheckpoint as buildModel,
  readWeights,
  type WeightsFile,
} from "@resnet-ts/trainer";
import { CheckpointFileError, loadCheckpoint } from "@resnet-ts/trainer/node";
import { type Output, UsageError } from "./output.js";

/** loadCheckpoint, with every failure a UsageError that starts with `flag` and names the file. */
export async function readCheckpoint(
  flag: string,
  path: string,
  options: { training?: boolean } = {},
): Promise<Checkpoint> {
  try {
    return await loadCheckpoint(path, options);
  } catch (error) {
    if (error instanceof CheckpointFileError) throw new UsageError(`${flag}: ${error.message}`);
    throw new UsageError(`${flag}: ${path}: ${(error as Error).message}`);
  }
}

/**
 * Loads `dict` into `model` (strict keys and shapes). Errors name the flag and file, and, when the classifier
 * has another number of rows than `classes`, say so first.
 */
export function loadWeights(
  model: Module,
  dict: StateDict,
  flag: string,
  path: string,
  classes: number,
): void {
  try {
    checkHead(model, dict, classes);
    model.loadStateDict(dict);
  } catch (error) {
    if (error instanceof CheckpointFitError) throw new UsageError(`${flag}: ${path} ${error.message}`);
    if (error instanceof StateDictError) {
      throw new UsageError(`${flag}: ${path} does not fit the model: ${error.detail}`);
    }
    throw error;
  }
}

/** Non-finite values in a state dict's float tensors: how many, and the first key holding one. */
export function nonFinite(dict: StateDict): { count: number; first: string | null } {
  let count = 0;
  let first: string | null = null;
  for (const [key, t] of Object.entries(dict)) {
    if (!(t.data instanceof Float32Array)) continue;
    for (const v of t.data) {
      if (!Number.isFinite(v)) {
        count++;
        first ??= key;
      }
    }
  }
  return { count, first };
}

export interface LoadedModel {
  model: Module;
  info: CheckpointInfo;
  /** The side length the checkpoint was trained at (its config's resize; null: the images' own size). */
  resize: number | null;
  /** Non-finite weights (the outputs are not meaningful when `count` > 0). */
  nonFinite: { count: number; first: string | null };
}

/**
 * Builds the checkpoint's model for data of `classes` classes and loads its weights; warns (one line) when
 * some weights are not finite.
 */
export function modelFromCheckpoint(
  checkpoint: Checkpoint,
  path: string,
  classes: number,
  out: Output,
): LoadedModel {
  const { stateDict, info } = checkpoint;
  let model: Module;
  try {
    model = buildModel(checkpoint, { classes });
  } catch (error) {
    if (!(error instanceof CheckpointFitError)) throw error;
    throw new UsageError(`--checkpoint: ${path} ${error.message}`);
  }
  model.eval();
  const bad = nonFinite(stateDict);
  if (bad.count > 0) {
    out.info(
      `warning: ${path} has ${bad.count} non-finite weights (NaN or infinite, first in ${bad.first}); ` +
        "its outputs are not meaningful",
    );
  }
  return { model, info, resize: info.config?.resize ?? null, nonFinite: bad };
}

/** Reads `--pretrained` weights (.pth/.pt or .safetensors); errors name the flag and the file. */
export async function readPretrained(path: string): Promise<WeightsFile> {
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--pretrained: ${e.code === "ENOENT" ? `${path} does not exist` : e.message}`);
  });
  try {
    return readWeights(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), basename(path));
  } catch (error) {
    throw new UsageError(`--pretrained ${path}: ${(error as Error).message}`);
  }
}
/** Throws unless a model of `shape` (from checkpoint `path`, given by `flag`) takes `data`'s images and class names. */
export function checkFitsData(
  shape: { inChannels: number },
  data: DataSplits,
  flag: string,
  path: string,
  pre: Preprocessing | null,
): void {
  if (shape.inChannels !== data.channels) {
    throw new UsageError(
      `${flag}: ${path} is a model of ${shape.inChannels}-channel images, but the data ${data.source} has ` +
        `${data.channels}-channel images; expected the same`,
    );
  }
  // A head of another class count is named by loadWeights, with the key and both shapes.
  if (
    pre &&
    pre.classNames.length === data.classNames.length &&
    pre.classNames.some((n, i) => n !== data.classNames[i])
  ) {
    throw new UsageError(
      `${flag}: ${path} was trained on the classes ${pre.classNames.join(", ")}, but the data ${data.source} has ${data.classNames.join(", ")}; expected the same classes in the same order`,
    );
  }
}

/** What a checkpoint records of its training images' preprocessing (null for older ones), and its split. */
export function readPreprocessing(
  checkpoint: Checkpoint,
  path: string,
): (Preprocessing & { valFraction?: number }) | null {
  const text = checkpoint.metadata.preprocessing;
  if (text === undefined) return null;
  try {
    const parsed = JSON.parse(text) as Preprocessing & { valFraction?: number };
    parsePreprocessing(parsed, "metadata preprocessing");
    return parsed;
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}

/** Loading options that read a data set the way the checkpoint's training data was read. */
export function dataOptions(
  pre: (Preprocessing & { valFraction?: number }) | null,
  seed: number,
): ImageLoadOptions {
  if (!pre) return {};
  return { imageSize: pre.imageSize, channels: pre.channels, valFraction: pre.valFraction ?? 0.1, seed };
}
