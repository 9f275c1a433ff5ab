/** Registers the reference cpu backend and every one of its kernels (an explicit list, no globbing). */
import { kernelList } from "../backend.js";
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

/** One kernel per name of the contract (checked at compile time), in contract order. */
export const cpuKernels = kernelList<CpuBackend>({
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
});

registerBackend("cpu", () => new CpuBackend(), { priority: 0 });
registerKernels(cpuKernels);
