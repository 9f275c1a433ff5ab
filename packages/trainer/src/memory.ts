/**
 * How much memory a training step needs, for WebAssembly's 32-bit heap (4 GiB at most): the weights with
 * their gradients, momentum buffers and packed copies (4 floats per parameter), and per image every layer's
 * output (kept for backward) plus as much again for the gradients and scratch of the backward pass. The
 * per-image count comes from one batch-1 forward pass that records every layer's output size.
 */
import { type Module, observeForward, Sequential } from "@resnet-ts/layers";
import { getBackend } from "@resnet-ts/tensor";
import type { TrainConfig } from "./config.js";

export const WASM_MAX_BYTES = 4 * 1024 ** 3;

export interface MemoryEstimate {
  /** Bytes that do not grow with the batch. */
  fixedBytes: number;
  /** Bytes per image of the batch. */
  perImageBytes: number;
  bytesFor(batch: number): number;
  /** The largest batch whose estimate fits in `available` bytes (0 when none does). */
  largestBatch(available: number): number;
}

export function estimateTrainingMemory(
  model: Module,
  input: readonly [number, number, number],
): MemoryEstimate {
  let floats = 0;
  observeForward(model, [1, ...input], (m) =>
    m instanceof Sequential || m === model
      ? null
      : (y) => {
          floats += y.size;
        },
  );
  const fixedBytes = 4 * 4 * model.numParameters();
  const perImageBytes = 4 * 2 * (floats + input[0] * input[1] * input[2]);
  return {
    fixedBytes,
    perImageBytes,
    bytesFor: (batch) => fixedBytes + batch * perImageBytes,
    largestBatch: (available) => Math.max(0, Math.floor((available - fixedBytes) / perImageBytes)),
  };
}

/** A batch that does not fit: needed vs available and the largest that does, in one line. */
export function memoryError(
  estimate: MemoryEstimate,
  batch: number,
  available: number,
  what: string,
): string | null {
  const needed = estimate.bytesFor(batch);
  if (needed <= available) return null;
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;
  const largest = estimate.largestBatch(available);
  return (
    `batch ${batch} of ${what} needs about ${gib(needed)}, the WebAssembly heap holds ${gib(available)}; ` +
    (largest > 0 ? `the largest batch that fits is ${largest}` : "not even one image fits")
  );
}

/**
 * The pre-training check on the wasm backend (null elsewhere, or when the batch fits): `config`'s batch of
 * `channels` x `rows` x `cols` images (or the configured resize) against the 4 GiB heap, `memoryError`'s line.
 */
export function batchMemoryError(
  model: Module,
  config: Pick<TrainConfig, "batchSize" | "resize" | "model">,
  channels: number,
  rows: number,
  cols: number,
): string | null {
  if (!getBackend().name.startsWith("wasm")) return null;
  const h = config.resize ?? rows;
  const w = config.resize ?? cols;
  const estimate = estimateTrainingMemory(model, [channels, h, w]);
  return memoryError(estimate, config.batchSize, WASM_MAX_BYTES, `${config.model} at ${channels}x${h}x${w}`);
}
