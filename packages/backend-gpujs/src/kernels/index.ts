/** Every kernel of the contract as a gpu.js implementation (an explicit list, checked by the type). */
import { batchNormGrad, batchNormInfer, batchNormTrain } from "./batchnorm.js";
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput } from "./conv.js";
import { add, biasAdd, channelSum, mul, relu, reluGrad, scale, sub, sum } from "./elementwise.js";
import { matMul } from "./matmul.js";
import { softmax, softmaxCrossEntropy } from "./loss.js";
import { adaptiveAvgPool, adaptiveAvgPoolGrad, maxPool, maxPoolGrad } from "./pool.js";
import { resizeBilinear } from "./resize.js";
import { sgdUpdate } from "./sgd.js";
import type { Impls } from "./source.js";

export const gpujsImpls: Impls = {
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
};
