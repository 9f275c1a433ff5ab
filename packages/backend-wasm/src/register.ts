/** The wasm backend's kernel list (explicit, one entry per kernel of the contract) and its registration. */
import { type KernelConfig, registerBackend, registerKernels } from "@resnet-ts/tensor";
import { WasmBackend } from "./backend.js";
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput } from "./kernels/conv.js";
import { matMul } from "./kernels/matmul.js";
import { add, biasAdd, channelSum, mul, relu, reluGrad, scale, sub, sum } from "./kernels/elementwise.js";
import { softmax, softmaxCrossEntropy, sgdUpdate } from "./kernels/loss.js";
import { batchNormGrad, batchNormInfer, batchNormTrain } from "./kernels/norm.js";
import {
  adaptiveAvgPool,
  adaptiveAvgPoolGrad,
  maxPool,
  maxPoolGrad,
  resizeBilinear,
} from "./kernels/pool.js";
import { type WasmBackendOptions, WasmRuntime } from "./runtime.js";

export const wasmKernels: readonly KernelConfig<never, never>[] = [
  conv2D,
  conv2DBackpropInput,
  conv2DBackpropFilter,
  batchNormTrain,
  batchNormInfer,
  batchNormGrad,
  maxPool,
  maxPoolGrad,
  adaptiveAvgPool,
  adaptiveAvgPoolGrad,
  matMul,
  biasAdd,
  channelSum,
  add,
  sub,
  mul,
  scale,
  relu,
  reluGrad,
  sum,
  softmax,
  softmaxCrossEntropy,
  sgdUpdate,
  resizeBilinear,
] as unknown as readonly KernelConfig<never, never>[];

/** Starts a wasm backend (compiles the module, starts the worker threads). */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return new WasmBackend(await WasmRuntime.create(options), options);
}

/**
 * Registers the `wasm` backend (priority 10, above `cpu`) and its kernels, so that `setBackend()`
 * picks it when it starts and `setBackend("wasm")` selects it by name.
 */
export function registerWasmBackend(options: WasmBackendOptions = {}, { priority = 10 } = {}): void {
  registerKernels(wasmKernels);
  registerBackend("wasm", () => createWasmBackend(options), { priority });
}
