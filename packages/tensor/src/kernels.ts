/**
 * The kernel contract: every kernel a backend may implement, with its inputs, attributes, outputs
 * and shapes. Ops, gradients and backends depend on this file and on nothing of each other.
 *
 * Conventions
 * - All data is float32, contiguous, row-major. Images are NCHW; conv filters are OIHW (PyTorch's layout).
 * - `stride` and `pad` are `[vertical, horizontal]`. Output spatial size of a window op:
 *   `out = floor((in + 2 * pad - kernel) / stride) + 1`.
 * - Kernels return fresh tensors and never change their inputs, except the two marked IN PLACE.
 * - Class labels are passed as float32 tensors holding integral class indices.
 */
import type { DataId } from "./backend.js";

/** What a kernel sees of a tensor: its storage on the backend and its shape. */
export interface TensorInfo {
  readonly dataId: DataId;
  readonly shape: readonly number[];
}

export type Pair = readonly [number, number];

export interface KernelSpecs {
  /** x [N,C,H,W] * w [O,C,KH,KW] (+ b [O]) -> y [N,O,OH,OW]; cross-correlation as PyTorch's conv2d. */
  Conv2D: {
    inputs: { x: TensorInfo; w: TensorInfo; b?: TensorInfo };
    attrs: { stride: Pair; pad: Pair };
    output: TensorInfo;
  };
  /** dy [N,O,OH,OW], w [O,C,KH,KW] -> dx [N,C,H,W] with `xShape` = [N,C,H,W]. */
  Conv2DBackpropInput: {
    inputs: { dy: TensorInfo; w: TensorInfo };
    attrs: { xShape: readonly number[]; stride: Pair; pad: Pair };
    output: TensorInfo;
  };
  /** x [N,C,H,W], dy [N,O,OH,OW] -> dw [O,C,KH,KW] with `wShape` = [O,C,KH,KW]. */
  Conv2DBackpropFilter: {
    inputs: { x: TensorInfo; dy: TensorInfo };
    attrs: { wShape: readonly number[]; stride: Pair; pad: Pair };
    output: TensorInfo;
  };
  /**
   * Training-mode batch norm over x [N,C,H,W] (or [N,C]) with per-channel gamma, beta [C].
   * Normalises with the batch mean and biased variance: y = (x - mean) / sqrt(var + eps) * gamma + beta.
   * Returns y and the batch `mean` and biased `variance` [C]. IN PLACE: when `momentum` > 0, updates
   * runningMean and runningVar [C] as PyTorch does:
   * running = (1 - momentum) * running + momentum * stat, with the unbiased variance (n / (n - 1)).
   */
  BatchNormTrain: {
    inputs: {
      x: TensorInfo;
      gamma: TensorInfo;
      beta: TensorInfo;
      runningMean: TensorInfo;
      runningVar: TensorInfo;
    };
    attrs: { eps: number; momentum: number };
    output: { y: TensorInfo; mean: TensorInfo; variance: TensorInfo };
  };
  /** Inference batch norm: y = (x - mean) / sqrt(variance + eps) * gamma + beta, all per channel [C]. */
  BatchNormInfer: {
    inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo; mean: TensorInfo; variance: TensorInfo };
    attrs: { eps: number };
    output: TensorInfo;
  };
  /**
   * Gradient of batch norm. dy, x [N,C,H,W]; gamma, mean, variance [C] (the statistics the forward used).
   * `training`: the statistics were the batch's own, so dx includes their dependence on x:
   *   dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat)), means per channel over N,H,W.
   * Otherwise (running statistics, constants): dx = dy * gamma * invStd.
   * Always: dgamma = sum(dy * xhat), dbeta = sum(dy), per channel.
   */
  BatchNormGrad: {
    inputs: { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; variance: TensorInfo };
    attrs: { eps: number; training: boolean };
    output: { dx: TensorInfo; dgamma: TensorInfo; dbeta: TensorInfo };
  };
  /** Max pool, x [N,C,H,W] -> y [N,C,OH,OW]; padding counts as -Infinity (PyTorch's MaxPool2d). */
  MaxPool: {
    inputs: { x: TensorInfo };
    attrs: { kernel: Pair; stride: Pair; pad: Pair };
    output: TensorInfo;
  };
  /** dy [N,C,OH,OW], x [N,C,H,W] -> dx; each window's gradient goes to its first maximum (row-major). */
  MaxPoolGrad: {
    inputs: { dy: TensorInfo; x: TensorInfo };
    attrs: { kernel: Pair; stride: Pair; pad: Pair };
    output: TensorInfo;
  };
  /**
   * Adaptive average pool, x [N,C,H,W] -> y [N,C,OH,OW] with `outSize` = [OH,OW]; output cell i averages
   * input rows floor(i*H/OH) .. ceil((i+1)*H/OH)-1 (and likewise columns), as PyTorch.
   */
  AdaptiveAvgPool: {
    inputs: { x: TensorInfo };
    attrs: { outSize: Pair };
    output: TensorInfo;
  };
  /** dy [N,C,OH,OW] -> dx [N,C,H,W] with `xShape`; each window spreads its gradient evenly. */
  AdaptiveAvgPoolGrad: {
    inputs: { dy: TensorInfo };
    attrs: { xShape: readonly number[] };
    output: TensorInfo;
  };
  /** a [M,K] (or [K,M] with transposeA) x b [K,N] (or [N,K] with transposeB) -> c [M,N]. */
  MatMul: {
    inputs: { a: TensorInfo; b: TensorInfo };
    attrs: { transposeA: boolean; transposeB: boolean };
    output: TensorInfo;
  };
  /** x [N,C,...] + b [C], b broadcast along axis 1 (bias of Linear and of conv). */
  BiasAdd: { inputs: { x: TensorInfo; b: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** Sum of x [N,C,...] over every axis but 1 -> [C] (the gradient of BiasAdd's bias). */
  ChannelSum: { inputs: { x: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** Elementwise a + b, same shape. */
  Add: { inputs: { a: TensorInfo; b: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** Elementwise a - b, same shape. */
  Sub: { inputs: { a: TensorInfo; b: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** Elementwise a * b, same shape. */
  Mul: { inputs: { a: TensorInfo; b: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** x * scalar. */
  Scale: { inputs: { x: TensorInfo }; attrs: { scalar: number }; output: TensorInfo };
  /** max(x, 0); NaN stays NaN (as PyTorch's relu). */
  Relu: { inputs: { x: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** dy where y > 0, else 0; y is Relu's output (same shape as dy). */
  ReluGrad: { inputs: { dy: TensorInfo; y: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** Sum of all elements -> shape []. */
  Sum: { inputs: { x: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /** Row-wise softmax of logits [N,K] -> [N,K]. */
  Softmax: { inputs: { logits: TensorInfo }; attrs: Record<string, never>; output: TensorInfo };
  /**
   * Mean softmax cross-entropy of logits [N,K] against labels [N] (class indices) with label smoothing
   * e in [0, 1] (PyTorch's `CrossEntropyLoss(label_smoothing=e)`: the target is q = (1 - e) onehot + e / K),
   * fused with its gradient:
   * loss [] = mean_n(logsumexp(logits_n) - (1 - e) logits_n[label_n] - e mean_k(logits_n)),
   * dlogits [N,K] = (softmax(logits) - q) / N. With e = 0 this is the plain cross-entropy.
   */
  SoftmaxCrossEntropy: {
    inputs: { logits: TensorInfo; labels: TensorInfo };
    attrs: { labelSmoothing: number };
    output: { loss: TensorInfo; dlogits: TensorInfo };
  };
  /**
   * IN PLACE SGD step on param with its grad (same shape), PyTorch's rule:
   *   g = grad + weightDecay * param
   *   if momentum > 0: buf = momentum * buf + (1 - dampening) * g (buf = g on the first step,
   *     signalled by `firstStep`); g = nesterov ? g + momentum * buf : buf
   *   param -= lr * g
   * `momentumBuf` (same shape) is required when momentum > 0 and is updated in place.
   */
  SgdUpdate: {
    inputs: { param: TensorInfo; grad: TensorInfo; momentumBuf?: TensorInfo };
    attrs: {
      lr: number;
      momentum: number;
      dampening: number;
      weightDecay: number;
      nesterov: boolean;
      firstStep: boolean;
    };
    output: undefined;
  };
  /**
   * Bilinear resize x [N,C,H,W] -> [N,C,OH,OW] with `size` = [OH,OW], align_corners=False as PyTorch:
   * src = max((dst + 0.5) * in / out - 0.5, 0), neighbours clamped to the edge.
   */
  ResizeBilinear: { inputs: { x: TensorInfo }; attrs: { size: Pair }; output: TensorInfo };
}

export type KernelName = keyof KernelSpecs;
export type KernelInputs<K extends KernelName> = KernelSpecs[K]["inputs"];
export type KernelAttrs<K extends KernelName> = KernelSpecs[K]["attrs"];
export type KernelOutput<K extends KernelName> = KernelSpecs[K]["output"];

/** Every kernel name, in contract order: a backend that claims completeness registers them all. */
export const KERNEL_NAMES = [
  "Conv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "BatchNormTrain",
  "BatchNormInfer",
  "BatchNormGrad",
  "MaxPool",
  "MaxPoolGrad",
  "AdaptiveAvgPool",
  "AdaptiveAvgPoolGrad",
  "MatMul",
  "BiasAdd",
  "ChannelSum",
  "Add",
  "Sub",
  "Mul",
  "Scale",
  "Relu",
  "ReluGrad",
  "Sum",
  "Softmax",
  "SoftmaxCrossEntropy",
  "SgdUpdate",
  "ResizeBilinear",
] as const satisfies readonly KernelName[];

/** Output spatial size of a window op along one axis. */
export function windowOutSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** Every size a conv kernel needs: input [n,c,h,w], filter [o,c,kh,kw], stride, padding, output [oh,ow]. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

export function convGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  stride: readonly number[],
  pad: readonly number[],
): ConvGeometry {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [o, , kh, kw] = wShape as [number, number, number, number];
  const [sh, sw] = stride as [number, number];
  const [ph, pw] = pad as [number, number];
  return {
    n,
    c,
    h,
    w,
    o,
    kh,
    kw,
    sh,
    sw,
    ph,
    pw,
    oh: windowOutSize(h, kh, sh, ph),
    ow: windowOutSize(w, kw, sw, pw),
  };
}

/** MatMul's sizes: op(a) is [m,k], op(b) is [k,n], for a [a0,a1] and b [b0,b1] and the transpose flags. */
export function matmulDims(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): { m: number; k: number; n: number } {
  const [a0, a1] = aShape as [number, number];
  const [b0, b1] = bShape as [number, number];
  return { m: transposeA ? a1 : a0, k: transposeA ? a0 : a1, n: transposeB ? b0 : b1 };
}
