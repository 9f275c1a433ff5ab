/** Loading a checkpoint into a fresh ResNet-18 for `eval` and `predict`. */
import type { Module } from "@resnet-ts/layers";
import { type CheckpointInfo, createModel, DEFAULT_CONFIG } from "@resnet-ts/trainer";
import { loadCheckpoint } from "@resnet-ts/trainer/node";
import { UsageError } from "./output.js";

export interface LoadedModel {
  model: Module;
  info: CheckpointInfo;
  /** The side length the checkpoint was trained at (its config's resize, else 28). */
  resize: number | null;
}

export async function loadModel(path: string): Promise<LoadedModel> {
  const { stateDict, info } = await loadCheckpoint(path, { training: false }).catch(
    (e: NodeJS.ErrnoException) => {
      throw e.code === "ENOENT" ? new UsageError(`--checkpoint: ${path} does not exist`) : e;
    },
  );
  // The classifier is the last Linear: "7.weight" in d2l's net, "8.weight" with pre-activation blocks.
  const classes = (stateDict["7.weight"] ?? stateDict["8.weight"])?.shape[0] ?? 10;
  const inChannels = stateDict["0.0.weight"]?.shape[1] ?? 1;
  const model = createModel(info.config ?? DEFAULT_CONFIG, { inChannels, numClasses: classes });
  model.loadStateDict(stateDict);
  model.eval();
  return { model, info, resize: info.config?.resize ?? null };
}
