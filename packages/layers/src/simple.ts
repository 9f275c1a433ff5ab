/** Parameter-free layers: ReLU, MaxPool2d, AdaptiveAvgPool2d, Flatten. */
import { adaptiveAvgPool2d, flatten, maxPool2d, relu, type Tensor } from "@resnet-ts/tensor";
import { Module } from "./module.js";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly options: { stride?: number; padding?: number } = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number, number]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** [N, ...] -> [N, rest] (PyTorch's nn.Flatten with start_dim 1). */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return flatten(x);
  }
}
