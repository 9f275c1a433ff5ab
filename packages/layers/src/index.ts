/** @resnet-ts/layers: a PyTorch-shaped Module API and the d2l ResNet-18 built from it. */
export { Module, type LoadResult } from "./module.js";
export type { StateDict, StateTensor } from "./state.js";
export { Conv2d, type Conv2dOptions } from "./conv.js";
export { BatchNorm2d, type BatchNormOptions } from "./batchnorm.js";
export { Linear } from "./linear.js";
export { AdaptiveAvgPool2d, Flatten, MaxPool2d, ReLU } from "./simple.js";
export { Sequential } from "./sequential.js";
export { Residual, resnetBlock, type ResidualOptions } from "./residual.js";
export { resnet18, type ResNetOptions } from "./resnet.js";
export { defaultUniform, fans, type InitScheme, xavierUniform } from "./init.js";
export { formatSummary, summary, type ModelSummary } from "./summary.js";
export { observeForward } from "./observe.js";
export {
  ArrangedBlock,
  assertArrangement,
  BLOCK_ARRANGEMENTS,
  type BlockArrangement,
  isPreActivation,
} from "./variants.js";
export { BasicBlock, Bottleneck, type BlockOptions, type BottleneckOptions } from "./blocks.js";
export {
  applyXavier,
  type BlockKind,
  cifarResnet,
  type CifarResNetOptions,
  type NetOptions,
  networkDepth,
  parseVariant,
  RESNET_DEPTHS,
  resnet,
  type ResNetBuildOptions,
  type VariantSpec,
  variantName,
} from "./builders.js";
export {
  Identity,
  TORCHVISION_MODELS,
  TorchvisionBasicBlock,
  type TorchvisionModelName,
  TorchvisionResNet,
  type TorchvisionResNetOptions,
  torchvisionResnet,
} from "./torchvision.js";
