/** nn.Conv2d: weight [out, in, kh, kw] (OIHW), optional bias [out]. */
import { conv2d, Rng, type Tensor } from "@resnet-ts/tensor";
import { defaultUniform, fans } from "./init.js";
import { Module } from "./module.js";

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  bias?: boolean;
  rng?: Rng;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    { stride = 1, padding = 0, bias = true, rng = new Rng(0) }: Conv2dOptions = {},
  ) {
    super();
    for (const [name, v] of Object.entries({ inChannels, outChannels, kernelSize, stride })) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`Conv2d: ${name} must be an integer >= 1, got ${v}`);
    }
    if (!Number.isInteger(padding) || padding < 0) {
      throw new Error(`Conv2d: padding must be an integer >= 0, got ${padding}`);
    }
    this.stride = stride;
    this.padding = padding;
    const shape = [outChannels, inChannels, kernelSize, kernelSize];
    const { fanIn } = fans(shape);
    this.weight = this.registerParameter("weight", defaultUniform(shape, fanIn, rng));
    this.bias = bias ? this.registerParameter("bias", defaultUniform([outChannels], fanIn, rng)) : null;
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}
