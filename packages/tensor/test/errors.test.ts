/** Bad input: every error names the op (or kernel/backend) and the values or shapes it received. */
import { describe, expect, it } from "vitest";
import {
  Rng,
  adaptiveAvgPool2d,
  add,
  batchNormInfer,
  batchNormTrain,
  biasAdd,
  channelSum,
  conv2d,
  fromArray,
  full,
  matmul,
  maxPool2d,
  mul,
  ones,
  rand,
  randn,
  reshape,
  resizeBilinear,
  scale,
  sgdUpdate,
  softmax,
  softmaxCrossEntropy,
  sub,
  zeros,
} from "../src/index.js";

const x4 = () => zeros([2, 3, 8, 8]);
const bn = (c = 3) => ({
  gamma: ones([c]),
  beta: zeros([c]),
  runningMean: zeros([c]),
  runningVar: ones([c]),
  eps: 1e-5,
  momentum: 0.1,
});

describe("creation", () => {
  it("rejects invalid shapes and counts", () => {
    expect(() => zeros([2, -1])).toThrow("zeros: shape [2,-1] is invalid");
    expect(() => ones([0, 3])).toThrow("ones: shape [0,3] is invalid");
    expect(() => full([1.5], 2)).toThrow("full: shape [1.5] is invalid");
    expect(() => fromArray([1, 2, 3], [2, 2])).toThrow("fromArray: 3 values cannot fill shape [2,2] (4)");
    expect(() => randn([NaN], new Rng(1))).toThrow("randn: shape [NaN] is invalid");
    expect(() => randn([2], new Rng(1), { std: NaN })).toThrow(
      "randn: std must be a finite number >= 0, got NaN",
    );
    expect(() => rand([2], new Rng(1), { low: 1, high: 0 })).toThrow(
      "rand: high must be a finite number >= 1, got 0",
    );
    expect(() => reshape(zeros([2, 3]), [4, -1])).toThrow(
      "reshape: cannot reshape [2,3] (6 elements) to [4,-1]",
    );
    expect(() => reshape(zeros([2, 3]), [-1, -1])).toThrow("reshape: shape [-1,-1] is invalid");
    expect(() => zeros([2]).item()).toThrow("item: expected a tensor with one element, got shape [2]");
    expect(() => zeros([2]).assign(new Float32Array(3))).toThrow(
      "assign: expected 2 values for shape [2], got 3",
    );
  });

  it("names the op when a disposed tensor is used", () => {
    const t = zeros([2]);
    t.dispose();
    expect(() => add(t, zeros([2]))).toThrow("add: a tensor of shape [2] was used after dispose()");
    expect(() => t.dataSync()).toThrow("Tensor [2] was used after dispose()");
  });

  it("rejects non-integer seeds and sizes", () => {
    expect(() => new Rng(0.5)).toThrow("Rng: seed must be an integer, got 0.5");
    expect(() => new Rng(1).int(0)).toThrow("Rng.int: n must be an integer >= 1, got 0");
  });
});

describe("elementwise, linear and reductions", () => {
  it("reject shape mismatches, naming both shapes", () => {
    expect(() => add(zeros([2, 3]), zeros([3, 2]))).toThrow("add: shapes [2,3] and [3,2] must be equal");
    expect(() => sub(zeros([2]), zeros([2, 1]))).toThrow("sub: shapes [2] and [2,1] must be equal");
    expect(() => mul(zeros([4]), zeros([5]))).toThrow("mul: shapes [4] and [5] must be equal");
    expect(() => matmul(zeros([2, 3]), zeros([2, 3]))).toThrow(
      "matmul: inner dimensions differ: a [2,3] x b [2,3]",
    );
    expect(() => matmul(zeros([3, 2]), zeros([2, 3]), { transposeA: true })).toThrow(
      "matmul: inner dimensions differ: a [3,2]^T x b [2,3]",
    );
    expect(() => matmul(zeros([2, 3, 1]), zeros([3, 2]))).toThrow(
      "matmul: a must have rank 2, got shape [2,3,1]",
    );
    expect(() => biasAdd(zeros([2, 3]), zeros([2]))).toThrow("biasAdd: bias [2] must be [C] for input [2,3]");
    expect(() => channelSum(zeros([3]))).toThrow("channelSum: expected rank >= 2, got [3]");
  });

  it("reject NaN and infinite scalars", () => {
    expect(() => scale(zeros([2]), NaN)).toThrow("scale: scalar must be a finite number, got NaN");
    expect(() => scale(zeros([2]), Infinity)).toThrow("scale: scalar must be a finite number, got Infinity");
  });
});

describe("conv2d", () => {
  it("rejects wrong ranks, channel and bias mismatches, bad stride and padding, kernels that do not fit", () => {
    expect(() => conv2d(zeros([3, 8, 8]), zeros([4, 3, 3, 3]))).toThrow(
      "conv2d: input must have rank 4, got shape [3,8,8]",
    );
    expect(() => conv2d(x4(), zeros([4, 3, 3]))).toThrow(
      "conv2d: weight must have rank 4, got shape [4,3,3]",
    );
    expect(() => conv2d(x4(), zeros([4, 2, 3, 3]))).toThrow(
      "conv2d: input [2,3,8,8] has 3 channels but weight [4,2,3,3] expects 2",
    );
    expect(() => conv2d(x4(), zeros([4, 3, 3, 3]), zeros([3]))).toThrow(
      "conv2d: bias must have shape [4], got [3]",
    );
    expect(() => conv2d(x4(), zeros([4, 3, 3, 3]), null, { stride: 0 })).toThrow(
      "conv2d: stride must be integers >= 1, got [0,0]",
    );
    expect(() => conv2d(x4(), zeros([4, 3, 3, 3]), null, { padding: [1, -1] })).toThrow(
      "conv2d: padding must be integers >= 0, got [1,-1]",
    );
    expect(() => conv2d(x4(), zeros([4, 3, 3, 3]), null, { stride: NaN })).toThrow(
      "conv2d: stride must be integers >= 1, got [NaN,NaN]",
    );
    expect(() => conv2d(x4(), zeros([4, 3, 9, 9]))).toThrow(
      "conv2d: kernel 9x9 with padding [0,0] does not fit input 8x8 (output 0x0)",
    );
  });
});

describe("batch norm", () => {
  it("rejects wrong ranks and parameter shapes", () => {
    expect(() => batchNormTrain(zeros([2, 3, 4]), bn())).toThrow(
      "batchNormTrain: expected input [N,C,H,W] or [N,C], got [2,3,4]",
    );
    expect(() => batchNormTrain(x4(), { ...bn(), gamma: ones([4]) })).toThrow(
      "batchNormTrain: weight must have shape [3] for input [2,3,8,8], got [4]",
    );
    expect(() => batchNormInfer(x4(), { ...bn(), runningVar: ones([3, 1]) })).toThrow(
      "batchNormInfer: running_var must have shape [3] for input [2,3,8,8], got [3,1]",
    );
  });

  it("rejects NaN or out-of-range eps and momentum, and a single value per channel", () => {
    expect(() => batchNormTrain(x4(), { ...bn(), eps: NaN })).toThrow(
      "batchNormTrain: eps must be a finite number",
    );
    expect(() => batchNormTrain(x4(), { ...bn(), eps: 0 })).toThrow(/batchNormTrain: eps must be .* got 0/);
    expect(() => batchNormTrain(x4(), { ...bn(), momentum: NaN })).toThrow(
      "batchNormTrain: momentum must be a finite number >= 0 and <= 1, got NaN",
    );
    expect(() => batchNormTrain(x4(), { ...bn(), momentum: 1.5 })).toThrow(/momentum .* got 1.5/);
    expect(() => batchNormTrain(zeros([1, 3]), bn())).toThrow(
      "batchNormTrain: expected more than 1 value per channel when training, got input [1,3]",
    );
  });
});

describe("pooling and resize", () => {
  it("max pool rejects bad kernel, stride, padding and input rank", () => {
    expect(() => maxPool2d(zeros([3, 8, 8]), 3)).toThrow(
      "maxPool2d: input must have rank 4, got shape [3,8,8]",
    );
    expect(() => maxPool2d(x4(), 0)).toThrow(
      "maxPool2d: kernel [0,0] and stride [0,0] must be integers >= 1",
    );
    expect(() => maxPool2d(x4(), 3, { stride: -1 })).toThrow("maxPool2d: kernel [3,3] and stride [-1,-1]");
    expect(() => maxPool2d(x4(), 3, { padding: 2 })).toThrow(
      "maxPool2d: padding [2,2] must be integers between 0 and half the kernel [3,3]",
    );
    expect(() => maxPool2d(zeros([1, 1, 2, 2]), 3)).toThrow(
      "maxPool2d: kernel [3,3] does not fit input [1,1,2,2]",
    );
  });

  it("adaptive average pool and resize reject bad sizes", () => {
    expect(() => adaptiveAvgPool2d(x4(), 0)).toThrow(
      "adaptiveAvgPool2d: output size [0,0] must be integers >= 1",
    );
    expect(() => adaptiveAvgPool2d(zeros([2, 8]), 1)).toThrow(
      "adaptiveAvgPool2d: input must have rank 4, got shape [2,8]",
    );
    expect(() => resizeBilinear(x4(), [96, NaN])).toThrow(
      "resizeBilinear: size [96,NaN] must be integers >= 1",
    );
    expect(() => resizeBilinear(zeros([8, 8]), 96)).toThrow(
      "resizeBilinear: input must have rank 4, got shape [8,8]",
    );
  });
});

describe("losses", () => {
  it("reject wrong ranks, label counts and labels that are not class indices", () => {
    expect(() => softmax(zeros([2, 3, 1]))).toThrow("softmax: logits must have rank 2, got shape [2,3,1]");
    expect(() => softmaxCrossEntropy(zeros([2, 3]), zeros([3]))).toThrow(
      "softmaxCrossEntropy: 3 labels for 2 rows of logits [2,3]",
    );
    expect(() => softmaxCrossEntropy(zeros([2, 3]), zeros([2, 1]))).toThrow(
      "softmaxCrossEntropy: labels must have rank 1, got shape [2,1]",
    );
    expect(() => softmaxCrossEntropy(zeros([2, 3]), fromArray([0, 3]))).toThrow(
      "softmaxCrossEntropy: label 3 at row 1 is not a class index in [0, 3)",
    );
    expect(() => softmaxCrossEntropy(zeros([2, 3]), fromArray([0.5, 1]))).toThrow(
      "softmaxCrossEntropy: label 0.5 at row 0",
    );
  });
});

describe("sgdUpdate", () => {
  const p = () => zeros([3]);
  it("rejects NaN, negative and inconsistent hyperparameters", () => {
    expect(() => sgdUpdate(p(), p(), null, { lr: NaN })).toThrow(
      "sgdUpdate: lr must be a finite number >= 0, got NaN",
    );
    expect(() => sgdUpdate(p(), p(), null, { lr: -0.1 })).toThrow(
      "sgdUpdate: lr must be a finite number >= 0, got -0.1",
    );
    expect(() => sgdUpdate(p(), p(), p(), { lr: 0.1, momentum: NaN })).toThrow(
      "sgdUpdate: momentum must be a finite number >= 0, got NaN",
    );
    expect(() => sgdUpdate(p(), p(), p(), { lr: 0.1, momentum: 0.9, dampening: 2 })).toThrow(
      "sgdUpdate: dampening must be a finite number >= 0 and <= 1, got 2",
    );
    expect(() => sgdUpdate(p(), p(), null, { lr: 0.1, weightDecay: Infinity })).toThrow(
      "sgdUpdate: weightDecay must be a finite number >= 0, got Infinity",
    );
    expect(() => sgdUpdate(p(), p(), p(), { lr: 0.1, nesterov: true })).toThrow(
      "sgdUpdate: nesterov needs momentum > 0 and dampening 0, got 0 and 0",
    );
  });

  it("rejects shape mismatches and a missing momentum buffer", () => {
    expect(() => sgdUpdate(p(), zeros([4]), null, { lr: 0.1 })).toThrow(
      "sgdUpdate: shapes [3] and [4] must be equal",
    );
    expect(() => sgdUpdate(p(), p(), null, { lr: 0.1, momentum: 0.9 })).toThrow(
      "sgdUpdate: momentum > 0 needs a momentum buffer",
    );
    expect(() => sgdUpdate(p(), p(), zeros([2]), { lr: 0.1, momentum: 0.9 })).toThrow(
      "sgdUpdate: shapes [3] and [2] must be equal",
    );
  });
});
