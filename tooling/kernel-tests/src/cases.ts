/**
 * Inputs for every kernel of the contract: seeded host arrays with the shapes ResNet-18 uses
 * (`full`) or small ones with the same edge cases (`small`): stride 2, padding, 1x1 / 3x3 / 7x7
 * filters, batch 1, non-square and non-divisible sizes, ties for max pool, in-place kernels.
 */
import { type KernelAttrs, type KernelName, Rng, windowOutSize } from "@resnet-ts/tensor";

/** A tensor as host data: what a case writes to each backend. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** One run of one kernel: its inputs by name (as in `KernelSpecs`) and its attributes. */
export interface KernelCase<K extends KernelName = KernelName> {
  readonly kernel: K;
  /** Short description, unique within the kernel, e.g. `x 1x3x9x8 w 5x3x3x3 stride 2 pad 1`. */
  readonly name: string;
  readonly inputs: Readonly<Record<string, HostTensor>>;
  readonly attrs: KernelAttrs<K>;
}

export type CaseSize = "small" | "full";

type Pair = [number, number];
type Builder<K extends KernelName> = (size: CaseSize, data: Data) => KernelCase<K>[];

/** Seeded value makers. */
class Data {
  readonly #rng: Rng;
  constructor(seed: number) {
    this.#rng = new Rng(seed);
  }
  /** Normal values with the given mean and standard deviation. */
  normal(shape: readonly number[], std = 1, mean = 0): HostTensor {
    return this.#make(shape, () => mean + std * this.#rng.normal());
  }
  /** Uniform values in [low, high). */
  uniform(shape: readonly number[], low: number, high: number): HostTensor {
    return this.#make(shape, () => this.#rng.uniform(low, high));
  }
  /** Small integers in [0, n): many exact ties. */
  ints(shape: readonly number[], n: number): HostTensor {
    return this.#make(shape, () => this.#rng.int(n));
  }
  #make(shape: readonly number[], draw: () => number): HostTensor {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = draw();
    return { shape, values };
  }
}

const dims = (shape: readonly number[]) => shape.join("x");

interface ConvGeometry {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: Pair;
  pad: Pair;
  bias: boolean;
}

const convGeometries: Record<CaseSize, ConvGeometry[]> = {
  small: [
    { x: [2, 3, 7, 7], w: [4, 3, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [1, 3, 9, 8], w: [5, 3, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
    { x: [2, 2, 11, 11], w: [4, 2, 7, 7], stride: [2, 2], pad: [3, 3], bias: true },
    { x: [2, 4, 6, 6], w: [6, 4, 1, 1], stride: [2, 2], pad: [0, 0], bias: false },
    { x: [1, 1, 5, 7], w: [2, 1, 3, 3], stride: [1, 1], pad: [0, 0], bias: true },
    { x: [1, 2, 6, 7], w: [3, 2, 3, 2], stride: [1, 2], pad: [0, 1], bias: false },
  ],
  // ResNet-18 at 28x28 (batch 2) and the 96x96 stem (batch 1).
  full: [
    { x: [2, 1, 28, 28], w: [64, 1, 7, 7], stride: [2, 2], pad: [3, 3], bias: true },
    { x: [1, 1, 96, 96], w: [64, 1, 7, 7], stride: [2, 2], pad: [3, 3], bias: true },
    { x: [2, 64, 7, 7], w: [64, 64, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 64, 7, 7], w: [128, 64, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
    { x: [2, 64, 7, 7], w: [128, 64, 1, 1], stride: [2, 2], pad: [0, 0], bias: true },
    { x: [2, 256, 2, 2], w: [512, 256, 3, 3], stride: [2, 2], pad: [1, 1], bias: false },
    // The stride-1 3x3 convs of stages 2-4 at 96x96 input (a fast backend may run these by Winograd).
    { x: [1, 64, 24, 24], w: [64, 64, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 128, 12, 12], w: [128, 128, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 256, 6, 6], w: [256, 256, 3, 3], stride: [1, 1], pad: [1, 1], bias: false },
  ],
};

const convName = (g: ConvGeometry) =>
  `x ${dims(g.x)} w ${dims(g.w)} stride ${g.stride.join("x")} pad ${g.pad.join("x")}${g.bias ? " bias" : ""}`;

const convOut = (g: ConvGeometry): number[] => [
  g.x[0],
  g.w[0],
  windowOutSize(g.x[2], g.w[2], g.stride[0], g.pad[0]),
  windowOutSize(g.x[3], g.w[3], g.stride[1], g.pad[1]),
];

const bnShapes: Record<CaseSize, number[][]> = {
  small: [
    [4, 3, 5, 5],
    [1, 3, 4, 4],
    [6, 5],
  ],
  full: [
    [8, 64, 14, 14],
    [2, 512, 1, 1],
    [32, 512],
  ],
};

interface PoolGeometry {
  x: number[];
  kernel: Pair;
  stride: Pair;
  pad: Pair;
}

const poolGeometries: Record<CaseSize, PoolGeometry[]> = {
  small: [
    { x: [2, 3, 8, 8], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    { x: [1, 2, 7, 5], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    { x: [2, 2, 6, 6], kernel: [2, 2], stride: [2, 2], pad: [0, 0] },
    { x: [1, 2, 6, 7], kernel: [3, 2], stride: [2, 1], pad: [1, 0] },
  ],
  full: [
    { x: [2, 64, 14, 14], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    { x: [1, 64, 48, 48], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
  ],
};

const poolName = (g: PoolGeometry) =>
  `x ${dims(g.x)} kernel ${g.kernel.join("x")} stride ${g.stride.join("x")} pad ${g.pad.join("x")}`;

const poolOut = (g: PoolGeometry): number[] => [
  g.x[0]!,
  g.x[1]!,
  windowOutSize(g.x[2]!, g.kernel[0], g.stride[0], g.pad[0]),
  windowOutSize(g.x[3]!, g.kernel[1], g.stride[1], g.pad[1]),
];

const adaptiveGeometries: Record<CaseSize, [number[], Pair][]> = {
  small: [
    [
      [2, 3, 7, 7],
      [1, 1],
    ],
    [
      [2, 3, 5, 7],
      [3, 4],
    ],
    [
      [1, 2, 6, 6],
      [3, 3],
    ],
    [
      [1, 2, 3, 4],
      [5, 6],
    ],
  ],
  full: [
    [
      [8, 512, 3, 3],
      [1, 1],
    ],
    [
      [2, 512, 7, 7],
      [1, 1],
    ],
    [
      [2, 64, 14, 14],
      [5, 5],
    ],
  ],
};

const matmulSizes: Record<CaseSize, [number, number, number][]> = {
  small: [
    [3, 5, 4],
    [1, 7, 3],
    [6, 1, 2],
  ],
  full: [
    [64, 512, 10],
    [512, 64, 10],
    [33, 257, 65],
  ],
};

const elementwiseShapes: Record<CaseSize, number[][]> = {
  small: [[2, 3, 4, 5], [37], [1]],
  full: [
    [8, 64, 14, 14],
    [1, 512],
  ],
};

const channelShapes: Record<CaseSize, number[][]> = {
  small: [
    [2, 3, 4, 5],
    [4, 3],
    [1, 5, 1, 1],
  ],
  full: [
    [8, 64, 14, 14],
    [64, 10],
  ],
};

const logitShapes: Record<CaseSize, Pair[]> = {
  small: [
    [5, 7],
    [1, 10],
    [4, 3],
  ],
  full: [
    [256, 10],
    [64, 1000],
  ],
};

const resizeGeometries: Record<CaseSize, [number[], Pair][]> = {
  small: [
    [
      [1, 1, 2, 2],
      [4, 4],
    ],
    [
      [2, 1, 7, 7],
      [16, 16],
    ],
    [
      [1, 3, 5, 7],
      [3, 4],
    ],
    [
      [1, 2, 4, 6],
      [9, 5],
    ],
  ],
  full: [
    [
      [8, 1, 28, 28],
      [96, 96],
    ],
    [
      [2, 1, 28, 28],
      [224, 224],
    ],
  ],
};

interface SgdConfig {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  firstStep: boolean;
}

const sgdConfigs: SgdConfig[] = [
  { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: false },
  { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 5e-4, nesterov: false, firstStep: true },
  { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: false, firstStep: true },
  { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: false, firstStep: false },
  { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0, nesterov: false, firstStep: false },
  { lr: 0.01, momentum: 0.8, dampening: 0, weightDecay: 1e-3, nesterov: true, firstStep: true },
  { lr: 0.01, momentum: 0.8, dampening: 0, weightDecay: 1e-3, nesterov: true, firstStep: false },
];

const sgdName = (c: SgdConfig) =>
  `lr ${c.lr} momentum ${c.momentum} dampening ${c.dampening} weightDecay ${c.weightDecay}` +
  `${c.nesterov ? " nesterov" : ""}${c.firstStep ? " firstStep" : ""}`;

/** Batch-norm parameters for `c` channels; variances are positive. */
function bnParams(c: number, d: Data) {
  return {
    gamma: d.normal([c], 0.5, 1),
    beta: d.normal([c], 0.5),
    mean: d.normal([c], 0.3),
    variance: d.uniform([c], 0.5, 1.5),
  };
}

const builders: { [K in KernelName]: Builder<K> } = {
  Conv2D: (s, d) =>
    convGeometries[s].map((g) => ({
      kernel: "Conv2D",
      name: convName(g),
      inputs: {
        x: d.normal(g.x),
        w: d.normal(g.w, 1 / Math.sqrt(g.w[1] * g.w[2] * g.w[3])),
        ...(g.bias ? { b: d.normal([g.w[0]]) } : {}),
      },
      attrs: { stride: g.stride, pad: g.pad },
    })),
  Conv2DBackpropInput: (s, d) =>
    convGeometries[s].map((g) => ({
      kernel: "Conv2DBackpropInput",
      name: convName(g).replace(" bias", ""),
      inputs: { dy: d.normal(convOut(g)), w: d.normal(g.w) },
      attrs: { xShape: g.x, stride: g.stride, pad: g.pad },
    })),
  Conv2DBackpropFilter: (s, d) =>
    convGeometries[s].map((g) => ({
      kernel: "Conv2DBackpropFilter",
      name: convName(g).replace(" bias", ""),
      inputs: { x: d.normal(g.x), dy: d.normal(convOut(g)) },
      attrs: { wShape: g.w, stride: g.stride, pad: g.pad },
    })),
  BatchNormTrain: (s, d) =>
    bnShapes[s].flatMap((shape, i) => {
      const p = bnParams(shape[1]!, d);
      const momentum = i === 0 ? [0.1, 0] : [0.1];
      return momentum.map((m) => ({
        kernel: "BatchNormTrain" as const,
        name: `x ${dims(shape)} momentum ${m}`,
        inputs: {
          x: d.normal(shape, 2, 0.5),
          gamma: p.gamma,
          beta: p.beta,
          runningMean: p.mean,
          runningVar: p.variance,
        },
        attrs: { eps: 1e-5, momentum: m },
      }));
    }),
  BatchNormInfer: (s, d) =>
    bnShapes[s].map((shape) => {
      const p = bnParams(shape[1]!, d);
      return {
        kernel: "BatchNormInfer",
        name: `x ${dims(shape)}`,
        inputs: { x: d.normal(shape), gamma: p.gamma, beta: p.beta, mean: p.mean, variance: p.variance },
        attrs: { eps: 1e-5 },
      };
    }),
  BatchNormGrad: (s, d) =>
    bnShapes[s].flatMap((shape) =>
      [true, false].map((training) => {
        const p = bnParams(shape[1]!, d);
        return {
          kernel: "BatchNormGrad" as const,
          name: `x ${dims(shape)} ${training ? "training" : "inference"}`,
          inputs: {
            dy: d.normal(shape),
            x: d.normal(shape),
            gamma: p.gamma,
            mean: p.mean,
            variance: p.variance,
          },
          attrs: { eps: 1e-5, training },
        };
      }),
    ),
  MaxPool: (s, d) => [
    ...poolGeometries[s].map((g) => ({
      kernel: "MaxPool" as const,
      name: poolName(g),
      inputs: { x: d.normal(g.x) },
      attrs: { kernel: g.kernel, stride: g.stride, pad: g.pad },
    })),
    // All negative: padding must count as -Infinity, not 0.
    {
      kernel: "MaxPool",
      name: "x 1x2x4x4 all negative kernel 3x3 stride 2x2 pad 1x1",
      inputs: { x: d.uniform([1, 2, 4, 4], -2, -1) },
      attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    },
  ],
  MaxPoolGrad: (s, d) => [
    ...poolGeometries[s].map((g) => ({
      kernel: "MaxPoolGrad" as const,
      name: poolName(g),
      inputs: { dy: d.normal(poolOut(g)), x: d.normal(g.x) },
      attrs: { kernel: g.kernel, stride: g.stride, pad: g.pad },
    })),
    // Many exact ties: the gradient goes to each window's first maximum in row-major order.
    {
      kernel: "MaxPoolGrad",
      name: "x 2x2x8x8 with ties kernel 3x3 stride 2x2 pad 1x1",
      inputs: { dy: d.normal([2, 2, 4, 4]), x: d.ints([2, 2, 8, 8], 3) },
      attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    },
  ],
  AdaptiveAvgPool: (s, d) =>
    adaptiveGeometries[s].map(([shape, out]) => ({
      kernel: "AdaptiveAvgPool",
      name: `x ${dims(shape)} to ${out.join("x")}`,
      inputs: { x: d.normal(shape) },
      attrs: { outSize: out },
    })),
  AdaptiveAvgPoolGrad: (s, d) =>
    adaptiveGeometries[s].map(([shape, out]) => ({
      kernel: "AdaptiveAvgPoolGrad",
      name: `x ${dims(shape)} to ${out.join("x")}`,
      inputs: { dy: d.normal([shape[0]!, shape[1]!, ...out]) },
      attrs: { xShape: shape },
    })),
  MatMul: (s, d) =>
    matmulSizes[s].flatMap(([m, k, n]) =>
      [false, true].flatMap((transposeA) =>
        [false, true].map((transposeB) => ({
          kernel: "MatMul" as const,
          name: `${m}x${k} * ${k}x${n}${transposeA ? " transposeA" : ""}${transposeB ? " transposeB" : ""}`,
          inputs: {
            a: d.normal(transposeA ? [k, m] : [m, k]),
            b: d.normal(transposeB ? [n, k] : [k, n]),
          },
          attrs: { transposeA, transposeB },
        })),
      ),
    ),
  BiasAdd: (s, d) =>
    channelShapes[s].map((shape) => ({
      kernel: "BiasAdd",
      name: `x ${dims(shape)}`,
      inputs: { x: d.normal(shape), b: d.normal([shape[1]!]) },
      attrs: {},
    })),
  ChannelSum: (s, d) =>
    channelShapes[s].map((shape) => ({
      kernel: "ChannelSum",
      name: `x ${dims(shape)}`,
      inputs: { x: d.normal(shape) },
      attrs: {},
    })),
  Add: (s, d) => binary("Add", s, d),
  Sub: (s, d) => binary("Sub", s, d),
  Mul: (s, d) => binary("Mul", s, d),
  Scale: (s, d) =>
    elementwiseShapes[s].flatMap((shape) =>
      [-1.75, 0.1].map((scalar) => ({
        kernel: "Scale" as const,
        name: `x ${dims(shape)} scalar ${scalar}`,
        inputs: { x: d.normal(shape) },
        attrs: { scalar },
      })),
    ),
  Relu: (s, d) =>
    elementwiseShapes[s].map((shape) => ({
      kernel: "Relu",
      name: `x ${dims(shape)}`,
      inputs: { x: withZeros(d.normal(shape)) },
      attrs: {},
    })),
  ReluGrad: (s, d) =>
    elementwiseShapes[s].map((shape) => {
      const y = withZeros(d.normal(shape));
      return {
        kernel: "ReluGrad",
        name: `y ${dims(shape)}`,
        inputs: { dy: d.normal(shape), y: { shape, values: y.values.map((v) => Math.max(v, 0)) } },
        attrs: {},
      };
    }),
  Sum: (s, d) =>
    [...elementwiseShapes[s], ...(s === "full" ? [[100_000]] : [])].map((shape) => ({
      kernel: "Sum",
      name: `x ${dims(shape)}`,
      inputs: { x: d.normal(shape, 1, 0.25) },
      attrs: {},
    })),
  Softmax: (s, d) =>
    logitShapes[s].map((shape) => ({
      kernel: "Softmax",
      name: `logits ${dims(shape)}`,
      inputs: { logits: d.normal(shape, 4) },
      attrs: {},
    })),
  SoftmaxCrossEntropy: (s, d) =>
    logitShapes[s].flatMap((shape) =>
      [0, 0.1, 1].map((labelSmoothing) => ({
        kernel: "SoftmaxCrossEntropy" as const,
        name: `logits ${dims(shape)} label smoothing ${labelSmoothing}`,
        inputs: { logits: d.normal(shape, 4), labels: d.ints([shape[0]], shape[1]) },
        attrs: { labelSmoothing },
      })),
    ),
  SgdUpdate: (s, d) => {
    const shape = s === "small" ? [3, 5] : [64, 64, 3, 3];
    return sgdConfigs.map((c) => ({
      kernel: "SgdUpdate",
      name: `${dims(shape)} ${sgdName(c)}`,
      inputs: {
        param: d.normal(shape),
        grad: d.normal(shape),
        // On a first step the buffer's old contents must be ignored, so it holds garbage then.
        ...(c.momentum > 0 ? { momentumBuf: d.normal(shape) } : {}),
      },
      attrs: c,
    }));
  },
  ResizeBilinear: (s, d) =>
    resizeGeometries[s].map(([shape, out]) => ({
      kernel: "ResizeBilinear",
      name: `x ${dims(shape)} to ${out.join("x")}`,
      inputs: { x: d.ints(shape, 256) },
      attrs: { size: out },
    })),
};

function binary<K extends "Add" | "Sub" | "Mul">(kernel: K, s: CaseSize, d: Data): KernelCase<K>[] {
  return elementwiseShapes[s].map((shape) => ({
    kernel,
    name: `${dims(shape)}`,
    inputs: { a: d.normal(shape), b: d.normal(shape) },
    attrs: {} as KernelAttrs<K>,
  }));
}

/** Sets every fifth value to exactly 0 (and one to -0): ReLU's boundary. */
function withZeros(t: HostTensor): HostTensor {
  const values = t.values.map((v, i) => (i % 5 === 0 ? 0 : v));
  if (values.length > 3) values[3] = -0;
  return { shape: t.shape, values };
}

/**
 * The cases for one kernel. The same `size` and `seed` always give the same values, so a failure
 * can be reproduced with `compareKernel`.
 */
export function kernelCases<K extends KernelName>(
  kernel: K,
  size: CaseSize = "small",
  seed = 1,
): KernelCase<K>[] {
  const builder = builders[kernel] as Builder<K> | undefined;
  if (!builder) throw new Error(`kernelCases: unknown kernel '${kernel}'`);
  // A seed per kernel, so that adding cases to one kernel leaves the others' values alone.
  const offset = [...kernel].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, seed);
  return builder(size, new Data(offset));
}
