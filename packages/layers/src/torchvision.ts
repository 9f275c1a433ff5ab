/**
 * torchvision's ResNets (`torchvision.models.resnet18/34/50`, torchvision >= 0.13) with torchvision's module
 * names, so that `stateDict()` has exactly the keys, shapes and order of `resnetXX(num_classes=K).state_dict()`:
 *   conv1 (7x7, stride 2, no bias), bn1, relu, maxpool, layer1..layer4, avgpool, fc
 * Stages are BasicBlocks (18, 34) or Bottlenecks (50; expansion 4, the stride on the 3x3 conv); the first block
 * of a stage gets a `downsample` (1x1 conv + BN) when the channels or the resolution change. Weights start as
 * torchvision's do: kaiming_normal_(fan_out, relu) on convs, BN weight 1 and bias 0, PyTorch's default for fc;
 * `zeroInitResidual` zeroes each block's last BN weight. `smallStem` (for 32x32-class inputs) makes conv1 a
 * 3x3 stride-1 conv and drops the max pool (its `maxpool` child is then an identity with no keys).
 */
import { Rng, randn, type Tensor, tidyForward } from "@resnet-ts/tensor";
import { BatchNorm2d } from "./batchnorm.js";
import { Bottleneck } from "./blocks.js";
import { Conv2d } from "./conv.js";
import { fans } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { Sequential } from "./sequential.js";
import { AdaptiveAvgPool2d, Flatten, MaxPool2d, ReLU } from "./simple.js";
import { ArrangedBlock } from "./variants.js";

export const TORCHVISION_MODELS = ["resnet18", "resnet34", "resnet50"] as const;
export type TorchvisionModelName = (typeof TORCHVISION_MODELS)[number];

const LAYOUTS: Record<TorchvisionModelName, { block: "basic" | "bottleneck"; depths: readonly number[] }> = {
  resnet18: { block: "basic", depths: [2, 2, 2, 2] },
  resnet34: { block: "basic", depths: [3, 4, 6, 3] },
  resnet50: { block: "bottleneck", depths: [3, 4, 6, 3] },
};

export interface TorchvisionResNetOptions {
  /** Output classes (torchvision's num_classes; 1000). */
  numClasses?: number;
  /** Image channels of conv1 (3). */
  inChannels?: number;
  /** Zero the last BN weight of every block (torchvision's zero_init_residual). */
  zeroInitResidual?: boolean;
  /** A 3x3 stride-1 conv1 and no max pool, for small (32x32-class) images. */
  smallStem?: boolean;
  seed?: number;
  /** Stage widths ([64, 128, 256, 512]); other widths keep the keys (used to list keys cheaply). */
  widths?: readonly number[];
}

/** torchvision's BasicBlock: conv1 (3x3, stride), bn1, conv2 (3x3), bn2, downsample; convs without bias. */
export class TorchvisionBasicBlock extends ArrangedBlock {
  readonly arrangement = "original" as const;
  readonly plain = false;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(inputChannels: number, planes: number, { stride = 1, rng = new Rng(0) } = {}) {
    super();
    this.conv1 = this.registerModule(
      "conv1",
      new Conv2d(inputChannels, planes, 3, { stride, padding: 1, bias: false, rng }),
    );
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(planes));
    this.conv2 = this.registerModule(
      "conv2",
      new Conv2d(planes, planes, 3, { padding: 1, bias: false, rng }),
    );
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(planes));
    this.downsample =
      inputChannels !== planes || stride !== 1
        ? this.registerModule(
            "downsample",
            new Sequential(
              new Conv2d(inputChannels, planes, 1, { stride, bias: false, rng }),
              new BatchNorm2d(planes),
            ),
          )
        : null;
  }

  protected units() {
    return [
      [this.conv1, this.bn1],
      [this.conv2, this.bn2],
    ] as const;
  }

  protected projection(): Module | null {
    return this.downsample;
  }
}

/** Passes its input through (torchvision's nn.Identity); no parameters, no keys. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class TorchvisionResNet extends Module {
  readonly name: TorchvisionModelName;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layers: readonly Sequential[];
  readonly fc: Linear;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly smallStem: boolean;
  readonly #sequence: readonly Module[];

  constructor(name: TorchvisionModelName, options: TorchvisionResNetOptions = {}) {
    super();
    const layout = LAYOUTS[name];
    if (!layout) {
      throw new Error(
        `torchvision ResNet: unknown model '${name}'; expected one of ${TORCHVISION_MODELS.join(", ")}`,
      );
    }
    const {
      numClasses = 1000,
      inChannels = 3,
      zeroInitResidual = false,
      smallStem = false,
      seed = 0,
      widths = [64, 128, 256, 512],
    } = options;
    for (const [what, v] of Object.entries({ numClasses, inChannels })) {
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`${name}: ${what} must be an integer >= 1, got ${v}`);
    }
    this.name = name;
    this.inChannels = inChannels;
    this.numClasses = numClasses;
    this.smallStem = smallStem;
    const rng = new Rng(seed);
    const stem = widths[0]!;
    this.conv1 = this.registerModule(
      "conv1",
      smallStem
        ? new Conv2d(inChannels, stem, 3, { padding: 1, bias: false, rng })
        : new Conv2d(inChannels, stem, 7, { stride: 2, padding: 3, bias: false, rng }),
    );
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(stem));
    const relu = this.registerModule("relu", new ReLU());
    const maxpool = this.registerModule(
      "maxpool",
      smallStem ? new Identity() : new MaxPool2d(3, { stride: 2, padding: 1 }),
    );
    let channels = stem;
    const expansion = layout.block === "bottleneck" ? 4 : 1;
    this.layers = layout.depths.map((count, s) => {
      const planes = widths[s]!;
      const blocks: Module[] = [];
      for (let i = 0; i < count; i++) {
        const stride = i === 0 && s > 0 ? 2 : 1;
        blocks.push(
          layout.block === "bottleneck"
            ? new Bottleneck(channels, planes, { strides: stride, rng })
            : new TorchvisionBasicBlock(channels, planes, { stride, rng }),
        );
        channels = planes * expansion;
      }
      return this.registerModule(`layer${s + 1}`, new Sequential(...blocks));
    });
    const avgpool = this.registerModule("avgpool", new AdaptiveAvgPool2d(1));
    const flatten = this.registerModule("flatten", new Flatten());
    this.fc = this.registerModule("fc", new Linear(channels, numClasses, { rng }));
    this.#sequence = [this.conv1, this.bn1, relu, maxpool, ...this.layers, avgpool, flatten, this.fc];
    initTorchvision(this, rng, zeroInitResidual);
  }

  forward(x: Tensor): Tensor {
    return tidyForward(() => {
      let y = x;
      for (const m of this.#sequence) y = m.forward(y);
      return y;
    });
  }
}

/** torchvision's ResNet.__init__ init: kaiming_normal_(mode="fan_out", nonlinearity="relu") on every conv. */
function initTorchvision(net: TorchvisionResNet, rng: Rng, zeroInitResidual: boolean): void {
  for (const [, m] of net.namedModules()) {
    if (m instanceof Conv2d) {
      const std = Math.sqrt(2 / fans(m.weight.shape).fanOut);
      const fresh = randn(m.weight.shape, rng, { std });
      m.weight.assign(fresh.dataSync());
      fresh.dispose();
    }
    if (zeroInitResidual && m instanceof ArrangedBlock) {
      const last = m instanceof Bottleneck ? m.bn3 : (m as TorchvisionBasicBlock).bn2;
      last.weight.assign(new Float32Array(last.numFeatures));
    }
  }
}

export const torchvisionResnet = (name: TorchvisionModelName, options?: TorchvisionResNetOptions) =>
  new TorchvisionResNet(name, options);
