/** Loading a checkpoint into a fresh model for `eval`, `predict` and `train --init`, and checking it fits the data. */
import { type DataSplits, type Preprocessing, parsePreprocessing } from "@resnet-ts/data";
import type { ImageLoadOptions } from "@resnet-ts/data/node";
import type { Module, StateDict } from "@resnet-ts/layers";
import { type CheckpointInfo, createModel, DEFAULT_CONFIG } from "@resnet-ts/trainer";
import { loadCheckpoint } from "@resnet-ts/trainer/node";
import { UsageError } from "./output.js";

export interface LoadedModel {
  model: Module;
  info: CheckpointInfo;
  /** The side length the checkpoint was trained at (its config's resize, else 28). */
  resize: number | null;
  /** What the training data's images went through (class names, channels, size, normalisation); null for older checkpoints. */
  preprocessing: Preprocessing | null;
  /** Its held-out fraction, for class folders split at load time. */
  valFraction: number | null;
}

/** The input channels and classes a state dict's model has (d2l's net or torchvision's). */
export function modelShape(stateDict: StateDict): { inChannels: number; classes: number } {
  // The classifier is the last Linear: "7.weight" in d2l's net, "8.weight" with pre-activation blocks, "fc.weight" in torchvision's.
  const classes = (stateDict["7.weight"] ?? stateDict["8.weight"] ?? stateDict["fc.weight"])?.shape[0] ?? 10;
  const inChannels = (stateDict["0.0.weight"] ?? stateDict["conv1.weight"])?.shape[1] ?? 1;
  return { inChannels, classes };
}

/** Throws unless a model of `shape` (from checkpoint `path`) takes `data`'s images and classes. */
export function checkFitsData(
  shape: { inChannels: number; classes: number },
  data: DataSplits,
  path: string,
  pre: Preprocessing | null,
): void {
  const names = pre ? ` (${pre.classNames.join(", ")})` : "";
  if (shape.inChannels !== data.channels || shape.classes !== data.classNames.length) {
    throw new UsageError(
      `${path}: a model of ${shape.inChannels}-channel images and ${shape.classes} classes${names}, but the data ` +
        `${data.source} has ${data.channels}-channel images and ${data.classNames.length} classes; expected the same`,
    );
  }
  if (pre?.classNames.some((n, i) => n !== data.classNames[i])) {
    throw new UsageError(
      `${path}: trained on the classes ${pre.classNames.join(", ")}, but the data ${data.source} has ${data.classNames.join(", ")}; expected the same classes in the same order`,
    );
  }
}

export async function loadModel(path: string): Promise<LoadedModel> {
  const { stateDict, info, metadata } = await loadCheckpoint(path, { training: false }).catch(
    (e: NodeJS.ErrnoException) => {
      throw e.code === "ENOENT" ? new UsageError(`--checkpoint: ${path} does not exist`) : e;
    },
  );
  const { inChannels, classes } = modelShape(stateDict);
  const model = createModel(info.config ?? DEFAULT_CONFIG, { inChannels, numClasses: classes });
  model.loadStateDict(stateDict);
  model.eval();
  let preprocessing: Preprocessing | null = null;
  let valFraction: number | null = null;
  if (metadata.preprocessing !== undefined) {
    const parsed = JSON.parse(metadata.preprocessing) as Preprocessing & { valFraction?: number };
    preprocessing = parsePreprocessing(parsed, `${path}: metadata preprocessing`);
    valFraction = parsed.valFraction ?? null;
  }
  return { model, info, resize: info.config?.resize ?? null, preprocessing, valFraction };
}

/** The input channels and classes of a loaded model. */
export const modelShapeOf = (model: Module) => modelShape(model.stateDict());

/** Loading options that read a data set the way the checkpoint's training data was read. */
export function dataOptions(
  pre: Preprocessing | null,
  valFraction: number | null,
  seed: number,
): ImageLoadOptions {
  if (!pre) return {};
  return { imageSize: pre.imageSize, channels: pre.channels, valFraction: valFraction ?? 0.1, seed };
}
