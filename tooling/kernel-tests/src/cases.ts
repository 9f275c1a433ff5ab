/**
 * Inputs for every kernel of the contract: seeded host arrays with the shapes ResNet-18 uses
 * (`full`) or small ones with the edge cases (`small`): stride 2, padding, 1x1 / 3x3 / 7x7
 * filters, batch 1, non-square and non-divisible sizes, ties for max pool, in-place kernels, NaN,
 * infinities and signed zeros, and the shapes where a fast backend changes path (SIMD tails, blocked
 * depths, tap classes, Winograd tiles, work split between threads). Inputs are scaled by fan-in so
 * that outputs are of order 1 (see `Tolerance`).
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
  /** Normal values rounded to halves: windows with tied maxima. */
  halves(shape: readonly number[]): HostTensor {
    return this.#make(shape, () => Math.round(this.#rng.normal() * 2) / 2);
  }
  /** `pattern` repeated with stride `step` (coprime with its length): NaN, infinities, zeros placed everywhere. */
  pattern(shape: readonly number[], pattern: readonly number[], step: number): HostTensor {
    let i = 0;
    return this.#make(shape, () => pattern[(i++ * step) % pattern.length]!);
  }
  /** Small integers in [0, n): many exact ties. */
  ints(shape: readonly number[], n: number): HostTensor {
    return this.#make(shape, () => this.#rng.int(n));
  }
  #make(shape: readonly number[], draw: () => number): HostTensor {
    const values = new Float32Array(sizeOf(shape));
    for (let i = 0; i < values.length; i++) values[i] = draw();
    return { shape, values };
  }
}

const dims = (shape: readonly number[]) => shape.join("x");
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

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
    { x: [2, 5, 7, 7], w: [6, 5, 1, 1], stride: [1, 1], pad: [0, 0], bias: true },
    { x: [3, 4, 9, 9], w: [5, 4, 1, 1], stride: [2, 2], pad: [0, 0], bias: false },
    { x: [2, 6, 9, 11], w: [10, 6, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
    { x: [1, 2, 1, 1], w: [3, 2, 1, 1], stride: [1, 1], pad: [0, 0], bias: true },
    { x: [2, 3, 7, 6], w: [5, 3, 3, 2], stride: [2, 1], pad: [1, 0], bias: true },
    { x: [1, 2, 6, 5], w: [2, 2, 3, 3], stride: [2, 1], pad: [0, 1], bias: true },
    // Filters larger than the padded input's live part, and maps of 1 and 2 pixels: taps that only
    // ever read padding.
    { x: [2, 3, 1, 2], w: [4, 3, 5, 3], stride: [1, 1], pad: [2, 1], bias: true },
    { x: [2, 4, 3, 3], w: [5, 4, 7, 7], stride: [2, 2], pad: [3, 3], bias: false },
    { x: [4, 8, 1, 1], w: [4, 8, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 4, 2, 2], w: [8, 4, 3, 3], stride: [2, 2], pad: [1, 1], bias: false },
    { x: [3, 5, 2, 2], w: [7, 5, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
    // Channels and positions in multiples of 4 and 8 (whole SIMD vectors) and just past them.
    { x: [4, 8, 6, 6], w: [8, 8, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [4, 4, 8, 8], w: [8, 4, 3, 3], stride: [2, 2], pad: [1, 1], bias: false },
    { x: [5, 17, 4, 4], w: [66, 17, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
    // Depths past one block of the GEMM (c * taps > 256), on late-stage map sizes (tap classes).
    { x: [3, 40, 12, 12], w: [35, 40, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [4, 64, 3, 3], w: [20, 64, 3, 3], stride: [2, 2], pad: [1, 1], bias: true },
    { x: [3, 40, 5, 5], w: [9, 40, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 300, 1, 1], w: [6, 300, 3, 3], stride: [1, 1], pad: [1, 1], bias: false },
    { x: [3, 70, 2, 2], w: [9, 70, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 33, 4, 4], w: [6, 33, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 30, 7, 7], w: [5, 30, 3, 3], stride: [1, 1], pad: [1, 1], bias: false },
    // Stride-1 3x3 convs that a backend may run by Winograd F(2x2, 3x3): several tiles at once, odd
    // sizes (partial tiles), padding 0 and 2, depths past one block in the forward and input gradient.
    { x: [2, 9, 12, 12], w: [10, 9, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 5, 13, 12], w: [7, 5, 3, 3], stride: [1, 1], pad: [1, 1], bias: false },
    { x: [1, 4, 8, 8], w: [5, 4, 3, 3], stride: [1, 1], pad: [0, 0], bias: true },
    { x: [2, 3, 8, 8], w: [4, 3, 3, 3], stride: [1, 1], pad: [2, 2], bias: true },
    { x: [1, 260, 6, 6], w: [6, 260, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [2, 6, 6, 8], w: [300, 6, 3, 3], stride: [1, 1], pad: [1, 1], bias: false },
    // Enough work that every thread gets a share, and N * OH * OW > 8192 (a backend may split the
    // filter gradient's batch into groups).
    { x: [4, 16, 16, 16], w: [64, 16, 3, 3], stride: [1, 1], pad: [1, 1], bias: true },
    { x: [3, 1, 64, 64], w: [2, 1, 3, 3], stride: [1, 1], pad: [1, 1], bias: false },
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
    [4, 3, 5, 7],
    [8, 64, 9, 9],
    [2, 5, 1, 1],
    [1, 2, 3, 3],
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
  /** Values rounded to halves: windows with tied maxima. */
  ties?: boolean;
}

const poolGeometries: Record<CaseSize, PoolGeometry[]> = {
  small: [
    { x: [2, 3, 8, 8], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    { x: [1, 2, 7, 5], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    { x: [2, 2, 6, 6], kernel: [2, 2], stride: [2, 2], pad: [0, 0] },
    { x: [1, 2, 6, 7], kernel: [3, 2], stride: [2, 1], pad: [1, 0] },
    { x: [2, 3, 9, 9], kernel: [3, 3], stride: [2, 2], pad: [1, 1], ties: true },
    { x: [1, 2, 8, 7], kernel: [2, 2], stride: [2, 2], pad: [0, 0], ties: true },
    { x: [3, 64, 14, 14], kernel: [3, 3], stride: [2, 2], pad: [1, 1], ties: true },
    { x: [2, 2, 5, 6], kernel: [3, 2], stride: [1, 2], pad: [1, 1], ties: true },
    { x: [2, 3, 7, 7], kernel: [3, 3], stride: [2, 2], pad: [1, 1], ties: true },
  ],
  full: [
    { x: [2, 64, 14, 14], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
    { x: [1, 64, 48, 48], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
  ],
};

const poolName = (g: PoolGeometry) =>
  `x ${dims(g.x)}${g.ties ? " with ties" : ""} kernel ${g.kernel.join("x")} stride ${g.stride.join("x")} pad ${g.pad.join("x")}`;

/** NaN, infinities and signed zeros among ordinary values, for ReLU and max pooling. */
const SPECIAL = [Number.NaN, 0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2];
/** The same mixed differently, in rows wide enough for four pooling windows at once. */
const SPECIAL_WIDE = [Number.NaN, 1, Number.NEGATIVE_INFINITY, 2, -0, Number.POSITIVE_INFINITY, 0, 3, -1];
const specialPools: PoolGeometry[] = [
  { x: [2, 2, 6, 6], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
  { x: [1, 2, 5, 19], kernel: [3, 3], stride: [1, 1], pad: [1, 1] },
  { x: [1, 2, 5, 19], kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
];
const specialValues = (g: PoolGeometry, d: Data) =>
  g.x[3] === 19 ? d.pattern(g.x, SPECIAL_WIDE, 7) : d.pattern(g.x, SPECIAL, 5);

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
    [
      [2, 3, 7, 5],
      [3, 2],
    ],
    [
      [4, 512, 1, 1],
      [1, 1],
    ],
    [
      [1, 2, 4, 4],
      [6, 5],
    ],
    [
      [2, 3, 5, 7],
      [5, 7],
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
    [5, 7, 9],
    [1, 13, 1],
    [67, 300, 45],
    [3, 0, 4],
  ],
  full: [
    [64, 512, 10],
    [512, 64, 10],
    [33, 257, 65],
  ],
};

const elementwiseShapes: Record<CaseSize, number[][]> = {
  small: [[2, 3, 4, 5], [37], [1], [3, 7], [4, 64, 9, 17]],
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
    [3, 7],
    [4, 64, 9, 17],
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
    [7, 3],
    [256, 10],
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
    [
      [2, 1, 28, 28],
      [96, 96],
    ],
    [
      [1, 3, 9, 7],
      [4, 5],
    ],
    [
      [1, 1, 1, 1],
      [3, 2],
    ],
    [
      [1, 2, 5, 7],
      [3, 2],
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
  { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: true, firstStep: true },
  { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov: false, firstStep: false },
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
      inputs: { dy: d.normal(convOut(g)), w: d.normal(g.w, 1 / Math.sqrt(g.w[0] * g.w[2] * g.w[3])) },
      attrs: { xShape: g.x, stride: g.stride, pad: g.pad },
    })),
  Conv2DBackpropFilter: (s, d) =>
    convGeometries[s].map((g) => ({
      kernel: "Conv2DBackpropFilter",
      name: convName(g).replace(" bias", ""),
      inputs: { x: d.normal(g.x), dy: d.normal(convOut(g), 1 / Math.sqrt(sizeOf(convOut(g)) / g.w[0])) },
      attrs: { wShape: g.w, stride: g.stride, pad: g.pad },
    })),
  BatchNormTrain: (s, d) => [
    ...bnShapes[s].flatMap((shape, i) => {
      const p = bnParams(shape[1]!, d);
      const variants =
        i === 0
          ? [
              [0.1, 1e-5],
              [0, 1e-5],
              [0.1, 1e-3],
            ]
          : [[0.1, 1e-5]];
      return variants.map(([momentum, eps]) => ({
        kernel: "BatchNormTrain" as const,
        name: `x ${dims(shape)} momentum ${momentum} eps ${eps}`,
        inputs: {
          x: d.normal(shape, 2, 0.5),
          gamma: p.gamma,
          beta: p.beta,
          runningMean: p.mean,
          runningVar: p.variance,
        },
        attrs: { eps: eps!, momentum: momentum! },
      }));
    }),
    // Values far from zero with a small spread: a one-pass variance must shift first.
    ...(s === "small" ? [[16, 4, 6, 6]] : []).map((shape) => {
      const p = bnParams(shape[1]!, d);
      return {
        kernel: "BatchNormTrain" as const,
        name: `x ${dims(shape)} in [999.9, 1000.1)`,
        inputs: {
          x: d.uniform(shape, 999.9, 1000.1),
          gamma: p.gamma,
          beta: p.beta,
          runningMean: p.mean,
          runningVar: p.variance,
        },
        attrs: { eps: 1e-5, momentum: 0.1 },
      };
    }),
  ],
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
      inputs: { x: g.ties ? d.halves(g.x) : d.normal(g.x) },
      attrs: { kernel: g.kernel, stride: g.stride, pad: g.pad },
    })),
    ...(s === "small" ? specialPools : []).map((g) => ({
      kernel: "MaxPool" as const,
      name: `${poolName(g)} NaN, infinities, signed zeros`,
      inputs: { x: specialValues(g, d) },
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
      inputs: { dy: d.normal(poolOut(g)), x: g.ties ? d.halves(g.x) : d.normal(g.x) },
      attrs: { kernel: g.kernel, stride: g.stride, pad: g.pad },
    })),
    ...(s === "small" ? specialPools : []).map((g) => ({
      kernel: "MaxPoolGrad" as const,
      name: `${poolName(g)} NaN, infinities, signed zeros`,
      inputs: { dy: d.normal(poolOut(g)), x: specialValues(g, d) },
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
  Relu: (s, d) => [
    ...elementwiseShapes[s].map((shape) => ({
      kernel: "Relu" as const,
      name: `x ${dims(shape)}`,
      inputs: { x: withZeros(d.normal(shape)) },
      attrs: {},
    })),
    {
      kernel: "Relu",
      name: "x 2x2x6x6 NaN, infinities, signed zeros",
      inputs: { x: d.pattern([2, 2, 6, 6], SPECIAL, 5) },
      attrs: {},
    },
  ],
  ReluGrad: (s, d) => [
    ...elementwiseShapes[s].map((shape) => {
      const y = withZeros(d.normal(shape));
      return {
        kernel: "ReluGrad" as const,
        name: `y ${dims(shape)}`,
        inputs: { dy: d.normal(shape), y: { shape, values: y.values.map((v) => Math.max(v, 0)) } },
        attrs: {},
      };
    }),
    {
      kernel: "ReluGrad",
      name: "y 2x2x6x6 NaN, infinities, signed zeros",
      inputs: { dy: d.normal([2, 2, 6, 6]), y: d.pattern([2, 2, 6, 6], SPECIAL, 5) },
      attrs: {},
    },
  ],
  Sum: (s, d) =>
    // [6000]: past one block of a blocked sum; []: a scalar.
    [...elementwiseShapes[s], ...(s === "full" ? [[100_000]] : [[6000], []])].map((shape) => ({
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
      [0, 0.1, 0.5, 1].map((labelSmoothing) => ({
        kernel: "SoftmaxCrossEntropy" as const,
        name: `logits ${dims(shape)} label smoothing ${labelSmoothing}`,
        inputs: { logits: d.normal(shape, 4), labels: d.ints([shape[0]], shape[1]) },
        attrs: { labelSmoothing },
      })),
    ),
  SgdUpdate: (s, d) =>
    (s === "small" ? [[3, 5], [7], [64, 3, 3, 3]] : [[64, 64, 3, 3]]).flatMap((shape) =>
      sgdConfigs.map((c) => ({
        kernel: "SgdUpdate" as const,
        name: `${dims(shape)} ${sgdName(c)}`,
        inputs: {
          param: d.normal(shape),
          grad: d.normal(shape),
          // On a first step the buffer's old contents must be ignored, so it holds garbage then.
          ...(c.momentum > 0 ? { momentumBuf: d.normal(shape) } : {}),
        },
        attrs: c,
      })),
    ),
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
