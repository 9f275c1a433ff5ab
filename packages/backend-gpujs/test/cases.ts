/**
 * Kernel parity cases: every kernel of the contract on small random shapes covering stride 2,
 * padding, 1x1 / 3x3 / 7x7 filters, batch 1, rank-2 inputs, ties in max pool and the reduction
 * paths (blocked sums, batch-split filter gradient). Shared by the Node tests and the browser page.
 */
import { type KernelName, Rng, windowOutSize } from "@resnet-ts/tensor";
import { type HostTensor, labels, random } from "./parity.js";

export interface KernelCase {
  name: string;
  kernel: KernelName;
  inputs: Record<string, HostTensor>;
  attrs: object;
  tolerance?: number;
}

interface ConvGeometry {
  x: number[];
  w: number[];
  stride: [number, number];
  pad: [number, number];
  bias: boolean;
}

const CONVS: ConvGeometry[] = [
  { x: [1, 3, 7, 7], w: [4, 3, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
  { x: [2, 2, 9, 9], w: [3, 2, 7, 7], stride: [2, 2], pad: [3, 3], bias: false },
  { x: [2, 4, 5, 5], w: [6, 4, 1, 1], stride: [1, 1], pad: [0, 0], bias: true },
  { x: [1, 2, 6, 5], w: [2, 2, 3, 3], stride: [2, 1], pad: [0, 1], bias: true },
  { x: [2, 3, 6, 6], w: [4, 3, 1, 1], stride: [2, 2], pad: [0, 0], bias: false },
  // Multiples of 4 (channels, positions): the array modes' products run whole SIMD quads.
  { x: [4, 8, 6, 6], w: [8, 8, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
  { x: [4, 4, 8, 8], w: [8, 4, 3, 3], stride: [2, 2], pad: [1, 1], bias: false },
  // Taps that only ever read padding (1x1 and 2x2 maps): left out of the array modes' products.
  { x: [4, 8, 1, 1], w: [4, 8, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
  { x: [2, 4, 2, 2], w: [8, 4, 3, 3], stride: [2, 2], pad: [1, 1], bias: false },
  { x: [1, 2, 1, 3], w: [3, 2, 5, 3], stride: [1, 1], pad: [2, 1], bias: false },
  // The small network's first convolution (test/network.ts).
  { x: [4, 1, 12, 12], w: [6, 1, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
  // Big enough that webasm in Node runs the products on every core (>= 16384 cells).
  { x: [4, 16, 16, 16], w: [64, 16, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
  // N * OH * OW > 8192: the filter gradient splits the batch into groups.
  { x: [3, 1, 64, 64], w: [2, 1, 3, 3], stride: [1, 1], pad: [1, 1], bias: false },
];

export function kernelCases(seed = 7): KernelCase[] {
  const rng = new Rng(seed);
  const r = (shape: number[], opts?: Parameters<typeof random>[2]) => random(shape, rng, opts);
  const cases: KernelCase[] = [];
  for (const g of CONVS) {
    const oh = windowOutSize(g.x[2]!, g.w[2]!, g.stride[0], g.pad[0]);
    const ow = windowOutSize(g.x[3]!, g.w[3]!, g.stride[1], g.pad[1]);
    const dyShape = [g.x[0]!, g.w[0]!, oh, ow];
    const label = `x[${g.x}] w[${g.w}] s${g.stride} p${g.pad}`;
    const attrs = { stride: g.stride, pad: g.pad };
    cases.push({
      name: `Conv2D ${label}${g.bias ? " +bias" : ""}`,
      kernel: "Conv2D",
      inputs: { x: r(g.x), w: r(g.w), ...(g.bias ? { b: r([g.w[0]!]) } : {}) },
      attrs,
    });
    cases.push({
      name: `Conv2DBackpropInput ${label}`,
      kernel: "Conv2DBackpropInput",
      inputs: { dy: r(dyShape), w: r(g.w) },
      attrs: { ...attrs, xShape: g.x },
    });
    cases.push({
      name: `Conv2DBackpropFilter ${label}`,
      kernel: "Conv2DBackpropFilter",
      inputs: { x: r(g.x), dy: r(dyShape) },
      attrs: { ...attrs, wShape: g.w },
    });
  }
  for (const shape of [
    [2, 3, 4, 5],
    [1, 2, 3, 3],
    [4, 3],
  ]) {
    const c = shape[1]!;
    const stats = () => ({
      gamma: r([c]),
      beta: r([c]),
      mean: r([c]),
      variance: r([c], { low: 0.2, high: 2 }),
    });
    cases.push({
      name: `BatchNormTrain [${shape}]`,
      kernel: "BatchNormTrain",
      inputs: {
        x: r(shape, { low: -2, high: 3 }),
        gamma: r([c]),
        beta: r([c]),
        runningMean: r([c]),
        runningVar: r([c], { low: 0.5, high: 2 }),
      },
      attrs: { eps: 1e-5, momentum: 0.1 },
    });
    const { gamma, beta, mean, variance } = stats();
    cases.push({
      name: `BatchNormInfer [${shape}]`,
      kernel: "BatchNormInfer",
      inputs: { x: r(shape), gamma, beta, mean, variance },
      attrs: { eps: 1e-5 },
    });
    for (const training of [true, false]) {
      const s = stats();
      cases.push({
        name: `BatchNormGrad [${shape}] training=${training}`,
        kernel: "BatchNormGrad",
        inputs: { dy: r(shape), x: r(shape), gamma: s.gamma, mean: s.mean, variance: s.variance },
        attrs: { eps: 1e-5, training },
      });
    }
  }
  for (const p of [
    { x: [2, 3, 7, 7], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    { x: [1, 2, 6, 6], kernel: [2, 2], stride: [2, 2], pad: [0, 0] },
    { x: [1, 2, 5, 6], kernel: [3, 2], stride: [1, 2], pad: [1, 1] },
  ]) {
    const attrs = { kernel: p.kernel, stride: p.stride, pad: p.pad };
    const oh = windowOutSize(p.x[2]!, p.kernel[0]!, p.stride[0]!, p.pad[0]!);
    const ow = windowOutSize(p.x[3]!, p.kernel[1]!, p.stride[1]!, p.pad[1]!);
    // Integer values in [-2, 2]: windows with tied maxima check the first-maximum rule.
    const x = r(p.x, { low: -2.4, high: 2.4, integers: true });
    cases.push({
      name: `MaxPool [${p.x}] k${p.kernel} s${p.stride} p${p.pad}`,
      kernel: "MaxPool",
      inputs: { x },
      attrs,
    });
    cases.push({
      name: `MaxPoolGrad [${p.x}] k${p.kernel} s${p.stride} p${p.pad}`,
      kernel: "MaxPoolGrad",
      inputs: { dy: r([p.x[0]!, p.x[1]!, oh, ow]), x },
      attrs,
    });
  }
  for (const outSize of [
    [1, 1],
    [3, 2],
    [5, 7],
  ] as [number, number][]) {
    const x = [2, 3, 5, 7];
    cases.push({
      name: `AdaptiveAvgPool [${x}] -> ${outSize}`,
      kernel: "AdaptiveAvgPool",
      inputs: { x: r(x) },
      attrs: { outSize },
    });
    cases.push({
      name: `AdaptiveAvgPoolGrad [${x}] -> ${outSize}`,
      kernel: "AdaptiveAvgPoolGrad",
      inputs: { dy: r([2, 3, ...outSize]) },
      attrs: { xShape: x },
    });
  }
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      const [m, k, n] = [5, 7, 3];
      cases.push({
        name: `MatMul tA=${transposeA} tB=${transposeB}`,
        kernel: "MatMul",
        inputs: { a: r(transposeA ? [k, m] : [m, k]), b: r(transposeB ? [n, k] : [k, n]) },
        attrs: { transposeA, transposeB },
      });
    }
  }
  for (const shape of [
    [3, 4],
    [2, 3, 4, 5],
  ]) {
    cases.push({
      name: `BiasAdd [${shape}]`,
      kernel: "BiasAdd",
      inputs: { x: r(shape), b: r([shape[1]!]) },
      attrs: {},
    });
    cases.push({ name: `ChannelSum [${shape}]`, kernel: "ChannelSum", inputs: { x: r(shape) }, attrs: {} });
  }
  const shape = [2, 3, 4, 5];
  for (const kernel of ["Add", "Sub", "Mul"] as const) {
    cases.push({ name: kernel, kernel, inputs: { a: r(shape), b: r(shape) }, attrs: {} });
  }
  cases.push({ name: "Scale", kernel: "Scale", inputs: { x: r(shape) }, attrs: { scalar: -0.37 } });
  cases.push({ name: "Relu", kernel: "Relu", inputs: { x: r(shape) }, attrs: {} });
  const y = r(shape, { low: -1, high: 1 });
  for (let i = 0; i < y.values.length; i++) y.values[i] = Math.max(y.values[i]!, 0);
  cases.push({ name: "ReluGrad", kernel: "ReluGrad", inputs: { dy: r(shape), y }, attrs: {} });
  cases.push({ name: "Sum [2,3,4,5]", kernel: "Sum", inputs: { x: r(shape) }, attrs: {} });
  cases.push({ name: "Sum [6000] (blocked)", kernel: "Sum", inputs: { x: r([6000]) }, attrs: {} });
  cases.push({ name: "Sum []", kernel: "Sum", inputs: { x: r([]) }, attrs: {} });
  cases.push({
    name: "Softmax [4,10]",
    kernel: "Softmax",
    inputs: { logits: r([4, 10], { low: -5, high: 5 }) },
    attrs: {},
  });
  for (const labelSmoothing of [0, 0.1]) {
    cases.push({
      name: `SoftmaxCrossEntropy [5,10] label smoothing ${labelSmoothing}`,
      kernel: "SoftmaxCrossEntropy",
      inputs: { logits: r([5, 10], { low: -5, high: 5 }), labels: labels(5, 10, rng) },
      attrs: { labelSmoothing },
    });
  }
  const sgd = { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: false };
  const pshape = [3, 2, 3, 3];
  cases.push({
    name: "SgdUpdate plain",
    kernel: "SgdUpdate",
    inputs: { param: r(pshape), grad: r(pshape) },
    attrs: sgd,
  });
  for (const variant of [
    { momentum: 0.9, firstStep: true },
    { momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 },
    { momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
  ]) {
    cases.push({
      name: `SgdUpdate ${JSON.stringify(variant)}`,
      kernel: "SgdUpdate",
      inputs: { param: r(pshape), grad: r(pshape), momentumBuf: r(pshape) },
      attrs: { ...sgd, ...variant },
    });
  }
  for (const size of [
    [9, 4],
    [3, 2],
    [5, 7],
  ] as [number, number][]) {
    cases.push({
      name: `ResizeBilinear [1,2,5,7] -> ${size}`,
      kernel: "ResizeBilinear",
      inputs: { x: r([1, 2, 5, 7]) },
      attrs: { size },
    });
  }
  return cases;
}
