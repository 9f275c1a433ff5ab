/** nn.Linear: y = x W^T + b with weight [out, in] and bias [out]. */
import { biasAdd, matmul, Rng, type Tensor } from "@resnet-ts/tensor";
import { defaultUniform } from "./init.js";
import { Module } from "./module.js";

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true, rng = new Rng(0) }: { bias?: boolean; rng?: Rng } = {},
  ) {
    super();
    for (const [name, v] of Object.entries({ inFeatures, outFeatures })) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`Linear: ${name} must be an integer >= 1, got ${v}`);
    }
    this.weight = this.registerParameter(
      "weight",
      defaultUniform([outFeatures, inFeatures], inFeatures, rng),
    );
    this.bias = bias ? this.registerParameter("bias", defaultUniform([outFeatures], inFeatures, rng)) : null;
  }

  forward(x: Tensor): Tensor {
    const y = matmul(x, this.weight, { transposeB: true });
    return this.bias ? biasAdd(y, this.bias) : y;
  }
}
