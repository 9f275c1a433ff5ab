/**
 * nn.BatchNorm2d: weight (gamma) and bias (beta) per channel; buffers running_mean, running_var and
 * the int64 num_batches_tracked. Training normalises with the batch's biased variance and moves the
 * running statistics towards the batch's (unbiased variance) by `momentum`; eval uses the running ones.
 */
import { batchNormInfer, batchNormTrain, ones, type Tensor, zeros } from "@resnet-ts/tensor";
import { Module } from "./module.js";

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
}

export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  numBatchesTracked = 0n;
  readonly eps: number;
  readonly momentum: number;

  constructor(
    readonly numFeatures: number,
    { eps = 1e-5, momentum = 0.1 }: BatchNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new Error(`BatchNorm2d: numFeatures must be an integer >= 1, got ${numFeatures}`);
    }
    if (!(eps > 0)) throw new Error(`BatchNorm2d: eps must be > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1))
      throw new Error(`BatchNorm2d: momentum must be in [0, 1], got ${momentum}`);
    this.eps = eps;
    this.momentum = momentum;
    this.weight = this.registerParameter("weight", ones([numFeatures]));
    this.bias = this.registerParameter("bias", zeros([numFeatures]));
    this.runningMean = this.registerBuffer("running_mean", zeros([numFeatures]));
    this.runningVar = this.registerBuffer("running_var", ones([numFeatures]));
    this.registerInt64Buffer(
      "num_batches_tracked",
      () => this.numBatchesTracked,
      (v) => {
        this.numBatchesTracked = v;
      },
    );
  }

  forward(x: Tensor): Tensor {
    const params = {
      gamma: this.weight,
      beta: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      eps: this.eps,
    };
    if (!this.training) return batchNormInfer(x, params);
    this.numBatchesTracked++;
    return batchNormTrain(x, { ...params, momentum: this.momentum });
  }
}
