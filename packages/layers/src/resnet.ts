/**
 * d2l's ResNet-18 (SPEC §1): Sequential(b1, b2, b3, b4, b5, AdaptiveAvgPool2d(1), Flatten, Linear(512, classes)),
 * b1 = Conv2d(in, 64, 7, stride 2, pad 3), BatchNorm2d, ReLU, MaxPool2d(3, stride 2, pad 1).
 */
import { Rng } from "@resnet-ts/tensor";
import { BatchNorm2d } from "./batchnorm.js";
import { Conv2d } from "./conv.js";
import { type InitScheme, xavierUniform } from "./init.js";
import { Linear } from "./linear.js";
import type { Module } from "./module.js";
import { resnetBlock } from "./residual.js";
import { Sequential } from "./sequential.js";
import { AdaptiveAvgPool2d, Flatten, MaxPool2d, ReLU } from "./simple.js";

export interface ResNetOptions {
  inChannels?: number;
  numClasses?: number;
  /** "xavier" (d2l's init_cnn, the default) or "default" (PyTorch's per-layer defaults). */
  init?: InitScheme;
  seed?: number;
}

export function resnet18({
  inChannels = 1,
  numClasses = 10,
  init = "xavier",
  seed = 0,
}: ResNetOptions = {}): Sequential {
  const rng = new Rng(seed);
  const net = new Sequential(
    new Sequential(
      new Conv2d(inChannels, 64, 7, { stride: 2, padding: 3, rng }),
      new BatchNorm2d(64),
      new ReLU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }),
    ),
    resnetBlock(64, 64, 2, { firstBlock: true, rng }),
    resnetBlock(64, 128, 2, { rng }),
    resnetBlock(128, 256, 2, { rng }),
    resnetBlock(256, 512, 2, { rng }),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(512, numClasses, { rng }),
  );
  if (init === "xavier") applyXavier(net, rng);
  return net;
}

/** d2l's init_cnn: xavier_uniform_ on every Conv2d and Linear weight; biases and BatchNorm keep their defaults. */
export function applyXavier(model: Module, rng: Rng): void {
  for (const [, m] of model.namedModules()) {
    if (m instanceof Conv2d || m instanceof Linear) {
      const fresh = xavierUniform(m.weight.shape, rng);
      m.weight.assign(fresh.dataSync());
      fresh.dispose();
    }
  }
}
