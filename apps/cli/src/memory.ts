/** The pre-training memory check: on the wasm backend a batch that cannot fit fails before the first step. */
import type { Module } from "@resnet-ts/layers";
import { getBackend } from "@resnet-ts/tensor";
import { estimateTrainingMemory, memoryError, type TrainConfig, WASM_MAX_BYTES } from "@resnet-ts/trainer";
import { UsageError } from "./output.js";

export function checkMemory(
  model: Module,
  config: TrainConfig,
  channels: number,
  rows: number,
  cols: number,
): void {
  if (!getBackend().name.startsWith("wasm")) return;
  const h = config.resize ?? rows;
  const w = config.resize ?? cols;
  const estimate = estimateTrainingMemory(model, [channels, h, w]);
  const error = memoryError(
    estimate,
    config.batchSize,
    WASM_MAX_BYTES,
    `${config.model} at ${channels}x${h}x${w}`,
  );
  if (error) throw new UsageError(`--batch-size: ${error}`);
}
