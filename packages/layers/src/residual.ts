/**
 * d2l's residual block and stage builder:
 *   Y = ReLU(bn1(conv1(X))); Y = bn2(conv2(Y)); return ReLU(Y + (conv3 ? conv3(X) : X))
 * conv1 is 3x3 (stride `strides`), conv2 3x3, conv3 an optional 1x1 shortcut (stride `strides`);
 * every conv has a bias. Child names (conv1, conv2, conv3, bn1, bn2) are PyTorch's state-dict keys.
 */
import { add, relu, Rng, type Tensor } from "@resnet-ts/tensor";
import { BatchNorm2d } from "./batchnorm.js";
import { Conv2d } from "./conv.js";
import { Module } from "./module.js";
import { Sequential } from "./sequential.js";

export interface ResidualOptions {
  use1x1conv?: boolean;
  strides?: number;
  rng?: Rng;
}

export class Residual extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d | null;
  readonly bn1: BatchNorm2d;
  readonly bn2: BatchNorm2d;

  constructor(
    inputChannels: number,
    numChannels: number,
    { use1x1conv = false, strides = 1, rng = new Rng(0) }: ResidualOptions = {},
  ) {
    super();
    if (!use1x1conv && (inputChannels !== numChannels || strides !== 1)) {
      throw new Error(
        `Residual: without use1x1conv the shortcut is the input itself, so inputChannels (${inputChannels}) must ` +
          `equal numChannels (${numChannels}) and strides (${strides}) must be 1`,
      );
    }
    this.conv1 = this.registerModule(
      "conv1",
      new Conv2d(inputChannels, numChannels, 3, { padding: 1, stride: strides, rng }),
    );
    this.conv2 = this.registerModule("conv2", new Conv2d(numChannels, numChannels, 3, { padding: 1, rng }));
    this.conv3 = use1x1conv
      ? this.registerModule("conv3", new Conv2d(inputChannels, numChannels, 1, { stride: strides, rng }))
      : null;
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(numChannels));
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(numChannels));
  }

  forward(x: Tensor): Tensor {
    let y = relu(this.bn1.forward(this.conv1.forward(x)));
    y = this.bn2.forward(this.conv2.forward(y));
    const shortcut = this.conv3 ? this.conv3.forward(x) : x;
    return relu(add(y, shortcut));
  }
}

/**
 * A stage of `numResiduals` blocks: the first halves height and width (stride 2) and changes the channels
 * through a 1x1 shortcut, unless `firstBlock`; the rest keep the shape.
 */
export function resnetBlock(
  inputChannels: number,
  numChannels: number,
  numResiduals: number,
  { firstBlock = false, rng = new Rng(0) }: { firstBlock?: boolean; rng?: Rng } = {},
): Sequential {
  if (!Number.isInteger(numResiduals) || numResiduals < 1) {
    throw new Error(`resnetBlock: numResiduals must be an integer >= 1, got ${numResiduals}`);
  }
  const blocks: Module[] = [];
  for (let i = 0; i < numResiduals; i++) {
    blocks.push(
      i === 0 && !firstBlock
        ? new Residual(inputChannels, numChannels, { use1x1conv: true, strides: 2, rng })
        : new Residual(numChannels, numChannels, { rng }),
    );
  }
  return new Sequential(...blocks);
}
