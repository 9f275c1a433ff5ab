/**
 * @resnet-ts/tensor: float32 tensors with reverse-mode autograd, the backend interface and kernel
 * registry, and the reference `cpu` backend (registered on import, active until another is set).
 */
import "./cpu/register.js";

export {
  type AnyKernelConfig,
  type Backend,
  type DataId,
  type KernelConfig,
  type KernelFunc,
  type KernelTable,
  kernelList,
} from "./backend.js";
export {
  getBackend,
  hasKernel,
  isGradEnabled,
  keep,
  listBackends,
  noGrad,
  registerBackend,
  registerKernel,
  registerKernels,
  runKernel,
  setBackend,
  tidy,
} from "./engine.js";
export { tidyForward } from "./saved.js";
export * from "./kernels.js";
export { Tensor, type GradFn } from "./tensor.js";
export { Rng } from "./random.js";
export { fromArray, full, ones, rand, randn, scalar, zeros, zerosLike } from "./creation.js";
export { shapeSize } from "./shape.js";
export { add, mul, relu, scale, sub } from "./ops/elementwise.js";
export { flatten, reshape } from "./ops/reshape.js";
export { conv2d, type Conv2dOptions } from "./ops/conv.js";
export { batchNormInfer, batchNormTrain, type BatchNormParams } from "./ops/batchnorm.js";
export { adaptiveAvgPool2d, maxPool2d, type MaxPoolOptions } from "./ops/pool.js";
export { biasAdd, channelSum, matmul, type MatmulOptions } from "./ops/linear.js";
export { mean, sum } from "./ops/reduce.js";
export { softmax, softmaxCrossEntropy } from "./ops/loss.js";
export { sgdUpdate, type SgdStepOptions } from "./ops/sgd.js";
export { resizeBilinear } from "./ops/resize.js";
export { CpuBackend } from "./cpu/backend.js";
export { cpuKernels } from "./cpu/register.js";
