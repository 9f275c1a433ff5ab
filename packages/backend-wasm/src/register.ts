/** The wasm backend's kernel list (explicit, one entry per kernel of the contract) and its registration. */
import { type AnyKernelConfig, kernelList, registerBackend, registerKernels } from "@resnet-ts/tensor";
import { WasmBackend } from "./backend.js";
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput } from "./kernels/conv.js";
import { matMul } from "./kernels/matmul.js";
import { add, biasAdd, channelSum, mul, relu, reluGrad, scale, sub, sum } from "./kernels/elementwise.js";
import { softmax, softmaxCrossEntropy } from "./kernels/loss.js";
import { batchNormGrad, batchNormInfer, batchNormTrain } from "./kernels/batchnorm.js";
import { adaptiveAvgPool, adaptiveAvgPoolGrad, maxPool, maxPoolGrad } from "./kernels/pool.js";
import { resizeBilinear } from "./kernels/resize.js";
import { sgdUpdate } from "./kernels/sgd.js";
import { type WasmBackendOptions, WasmRuntime } from "./runtime.js";

/** One kernel per name of the contract (checked at compile time), in contract order, each in a kernel scope. */
export const wasmKernels = kernelList<WasmBackend>({
  Conv2D: conv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  BatchNormTrain: batchNormTrain,
  BatchNormInfer: batchNormInfer,
  BatchNormGrad: batchNormGrad,
  MaxPool: maxPool,
  MaxPoolGrad: maxPoolGrad,
  AdaptiveAvgPool: adaptiveAvgPool,
  AdaptiveAvgPoolGrad: adaptiveAvgPoolGrad,
  MatMul: matMul,
  BiasAdd: biasAdd,
  ChannelSum: channelSum,
  Add: add,
  Sub: sub,
  Mul: mul,
  Scale: scale,
  Relu: relu,
  ReluGrad: reluGrad,
  Sum: sum,
  Softmax: softmax,
  SoftmaxCrossEntropy: softmaxCrossEntropy,
  SgdUpdate: sgdUpdate,
  ResizeBilinear: resizeBilinear,
}).map(
  (k) =>
    ({
      ...k,
      kernelFunc: (backend: WasmBackend, inputs: never, attrs: never) =>
        backend.kernelScope(() => k.kernelFunc(backend, inputs, attrs)),
    }) as AnyKernelConfig<WasmBackend>,
);

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
