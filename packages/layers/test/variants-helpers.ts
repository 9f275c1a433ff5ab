/** Shared by the variants tests: random BN affine parameters, and a BN computed with the tensor op alone. */
import type { BatchNorm2d, Module } from "../src/index.js";
import { batchNormTrain, ones, type Rng, rand, type Tensor, zeros } from "@resnet-ts/tensor";

/** Gives every BatchNorm a random weight and bias (the defaults 1 and 0 would hide a misplaced BN). */
export function randomiseBatchNorms(model: Module, rng: Rng): void {
  for (const [name, p] of model.namedParameters()) {
    if (/(^|\.)bn\d\.(weight|bias)$|downsample\.1\.(weight|bias)$/.test(name)) {
      const r = rand(p.shape, rng, { low: 0.5, high: 1.5 });
      p.assign(r.dataSync());
    }
  }
}

/** Training-mode batch norm with the layer's affine parameters and throwaway running statistics. */
export function bnByHand(bn: BatchNorm2d, x: Tensor): Tensor {
  const c = bn.numFeatures;
  return batchNormTrain(x, {
    gamma: bn.weight,
    beta: bn.bias,
    runningMean: zeros([c]),
    runningVar: ones([c]),
    eps: bn.eps,
    momentum: 0,
  });
}
