/**
 * d2l's ResNet-18 (SPEC §1): Sequential(b1, b2, b3, b4, b5, AdaptiveAvgPool2d(1), Flatten, Linear(512, classes)),
 * b1 = Conv2d(in, 64, 7, stride 2, pad 3), BatchNorm2d, ReLU, MaxPool2d(3, stride 2, pad 1), b2..b5 stages of two
 * original-arrangement residual blocks. It is `resnet()` (builders.ts, the one builder of d2l's layout) with its
 * defaults, under d2l's name.
 */
import { resnet } from "./builders.js";
import type { InitScheme } from "./init.js";
import type { Sequential } from "./sequential.js";

export interface ResNetOptions {
  inChannels?: number;
  numClasses?: number;
  /** "xavier" (d2l's init_cnn, the default) or "default" (PyTorch's per-layer defaults). */
  init?: InitScheme;
  seed?: number;
}

export function resnet18({ inChannels, numClasses, init, seed }: ResNetOptions = {}): Sequential {
  return resnet({ inChannels, numClasses, init, seed });
}
