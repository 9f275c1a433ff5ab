/** Registers the reference cpu backend and every one of its kernels (an explicit list, no globbing). */
import type { KernelConfig } from "../backend.js";
import { registerBackend, registerKernels } from "../engine.js";
import { CpuBackend } from "./backend.js";
import { batchNormGrad, batchNormInfer, batchNormTrain } from "./batchnorm.js";
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput } from "./conv.js";
import { add, biasAdd, channelSum, mul, relu, reluGrad, scale, sub, sum } from "./elementwise.js";
import { softmax, softmaxCrossEntropy } from "./loss.js";
import { matMul } from "./matmul.js";
import { adaptiveAvgPool, adaptiveAvgPoolGrad, maxPool, maxPoolGrad } from "./pool.js";
import { resizeBilinear } from "./resize.js";
import { sgdUpdate } from "./sgd.js";

export const cpuKernels: readonly KernelConfig<never, never>[] = [
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

registerBackend("cpu", () => new CpuBackend(), { priority: 0 });
registerKernels(cpuKernels);
