/**
 * d2l's residual block and stage builder:
 *   Y = ReLU(bn1(conv1(X))); Y = bn2(conv2(Y)); return ReLU(Y + (conv3 ? conv3(X) : X))
 * conv1 is 3x3 (stride `strides`), conv2 3x3, conv3 an optional 1x1 shortcut (stride `strides`);
 * every conv has a bias. Child names (conv1, conv2, conv3, bn1, bn2) are PyTorch's state-dict keys.
 */
import { Rng } from "@resnet-ts/tensor";
import { BasicBlock } from "./blocks.js";
import type { Module } from "./module.js";
import { Sequential } from "./sequential.js";

export interface ResidualOptions {
  use1x1conv?: boolean;
  strides?: number;
  rng?: Rng;
}

/** d2l's `Residual(input_channels, num_channels, use_1x1conv, strides)`: the original-arrangement BasicBlock. */
export class Residual extends BasicBlock {
  constructor(
    inputChannels: number,
    numChannels: number,
    { use1x1conv = false, strides = 1, rng = new Rng(0) }: ResidualOptions = {},
  ) {
    super(inputChannels, numChannels, { strides, projection: use1x1conv, arrangement: "original", rng });
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
