/**
 * The two block shapes, each in every arrangement of variants.ts:
 * - `BasicBlock`: two 3x3 convs (the first with stride `strides`), d2l's names conv1, bn1, conv2, bn2 and the
 *   1x1 projection conv3 (all convs with a bias, no BN on the projection); in the `original` arrangement it is
 *   d2l's `Residual` (residual.ts).
 * - `Bottleneck`: 1x1 reduce to `width`, 3x3 (stride `strides`), 1x1 expand to `width * expansion`, torchvision's
 *   names conv1..conv3, bn1..bn3 and the projection downsample.0 (1x1 conv) + downsample.1 (BN); convs without bias.
 * A projection is made when the channels or the resolution change (or when `projection` asks for one).
 */
import { Rng } from "@resnet-ts/tensor";
import { BatchNorm2d } from "./batchnorm.js";
import { Conv2d } from "./conv.js";
import type { Module } from "./module.js";
import { Sequential } from "./sequential.js";
import { ArrangedBlock, assertArrangement, type BlockArrangement, bnChannels } from "./variants.js";

export interface BlockOptions {
  strides?: number;
  /** Whether the shortcut is a 1x1 conv (default: when the channels or the resolution change). */
  projection?: boolean;
  arrangement?: BlockArrangement;
  /** No shortcut: the same layers without the add. */
  plain?: boolean;
  rng?: Rng;
}

export class BasicBlock extends ArrangedBlock {
  readonly arrangement: BlockArrangement;
  readonly plain: boolean;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d | null;
  readonly bn1: BatchNorm2d;
  readonly bn2: BatchNorm2d;

  constructor(
    inputChannels: number,
    numChannels: number,
    {
      strides = 1,
      projection = inputChannels !== numChannels || strides !== 1,
      arrangement = "original",
      plain = false,
      rng = new Rng(0),
    }: BlockOptions = {},
  ) {
    super();
    assertArrangement(arrangement, "BasicBlock");
    if (!projection && (inputChannels !== numChannels || strides !== 1)) {
      throw new Error(
        `${new.target.name}: without a 1x1 conv the shortcut is the input itself, so inputChannels (${inputChannels}) ` +
          `must equal numChannels (${numChannels}) and strides (${strides}) must be 1`,
      );
    }
    this.arrangement = arrangement;
    this.plain = plain;
    this.conv1 = this.registerModule(
      "conv1",
      new Conv2d(inputChannels, numChannels, 3, { padding: 1, stride: strides, rng }),
    );
    this.conv2 = this.registerModule("conv2", new Conv2d(numChannels, numChannels, 3, { padding: 1, rng }));
    this.conv3 = projection
      ? this.registerModule("conv3", new Conv2d(inputChannels, numChannels, 1, { stride: strides, rng }))
      : null;
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(bnChannels(arrangement, this.conv1)));
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(bnChannels(arrangement, this.conv2)));
  }

  protected units() {
    return [
      [this.conv1, this.bn1],
      [this.conv2, this.bn2],
    ] as const;
  }

  protected projection(): Module | null {
    return this.conv3;
  }
}

export interface BottleneckOptions extends BlockOptions {
  /** Output channels = width * expansion (4 in He et al. 2015). */
  expansion?: number;
}

export class Bottleneck extends ArrangedBlock {
  readonly arrangement: BlockArrangement;
  readonly plain: boolean;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(
    inputChannels: number,
    width: number,
    {
      strides = 1,
      arrangement = "original",
      plain = false,
      expansion = 4,
      rng = new Rng(0),
    }: BottleneckOptions = {},
  ) {
    super();
    assertArrangement(arrangement, "Bottleneck");
    if (!Number.isInteger(expansion) || expansion < 1) {
      throw new Error(`Bottleneck: expansion must be an integer >= 1, got ${expansion}`);
    }
    this.arrangement = arrangement;
    this.plain = plain;
    const out = width * expansion;
    this.conv1 = this.registerModule("conv1", new Conv2d(inputChannels, width, 1, { bias: false, rng }));
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(bnChannels(arrangement, this.conv1)));
    this.conv2 = this.registerModule(
      "conv2",
      new Conv2d(width, width, 3, { padding: 1, stride: strides, bias: false, rng }),
    );
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(bnChannels(arrangement, this.conv2)));
    this.conv3 = this.registerModule("conv3", new Conv2d(width, out, 1, { bias: false, rng }));
    this.bn3 = this.registerModule("bn3", new BatchNorm2d(bnChannels(arrangement, this.conv3)));
    this.downsample =
      inputChannels !== out || strides !== 1
        ? this.registerModule(
            "downsample",
            new Sequential(
              new Conv2d(inputChannels, out, 1, { stride: strides, bias: false, rng }),
              new BatchNorm2d(out),
            ),
          )
        : null;
  }

  protected units() {
    return [
      [this.conv1, this.bn1],
      [this.conv2, this.bn2],
      [this.conv3, this.bn3],
    ] as const;
  }

  protected projection(): Module | null {
    return this.downsample;
  }
}
