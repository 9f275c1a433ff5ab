import { KERNEL_NAMES, Rng, hasKernel, type Pair } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { expectParity, random, runOn } from "./helpers.js";

const rng = new Rng(42);

describe("wasm backend: every kernel of the contract", () => {
  it("registers them all", () => {
    expect(KERNEL_NAMES.filter((k) => !hasKernel("wasm", k))).toEqual([]);
  });
});

// [n, c, h, w], [o, kh, kw], stride, pad, bias
const convCases: [number[], number[], Pair, Pair, boolean][] = [
  [[2, 5, 7, 7], [6, 1, 1], [1, 1], [0, 0], true],
  [[3, 4, 9, 9], [5, 1, 1], [2, 2], [0, 0], false],
  [[2, 3, 6, 5], [7, 3, 3], [1, 1], [1, 1], true],
  [[2, 6, 9, 11], [10, 3, 3], [2, 2], [1, 1], true],
  [[2, 1, 13, 13], [9, 7, 7], [2, 2], [3, 3], true],
  [[1, 3, 5, 5], [4, 3, 3], [1, 1], [0, 0], false],
  [[1, 2, 1, 1], [3, 1, 1], [1, 1], [0, 0], true],
  [[2, 3, 7, 6], [5, 3, 2], [2, 1], [1, 0], true],
  [[3, 40, 12, 12], [35, 3, 3], [1, 1], [1, 1], true],
  [[5, 17, 4, 4], [66, 3, 3], [2, 2], [1, 1], true],
  [[4, 64, 3, 3], [20, 3, 3], [2, 2], [1, 1], true],
  [[3, 40, 5, 5], [9, 3, 3], [1, 1], [1, 1], true],
  [[2, 300, 1, 1], [6, 3, 3], [1, 1], [1, 1], false],
  [[3, 5, 2, 2], [7, 3, 3], [2, 2], [1, 1], true],
  [[2, 3, 1, 2], [4, 5, 3], [1, 1], [2, 1], true],
  [[2, 4, 3, 3], [5, 7, 7], [2, 2], [3, 3], false],
  // ResNet-18's late stages at 28x28: tap classes (border outputs skip the taps that meet padding),
  // with depths past one k block (c * taps > 256).
  [[3, 70, 2, 2], [9, 3, 3], [1, 1], [1, 1], true],
  [[2, 33, 4, 4], [6, 3, 3], [1, 1], [1, 1], true],
  [[2, 30, 7, 7], [5, 3, 3], [1, 1], [1, 1], false],
  // Winograd F(2x2, 3x3) (stride-1 3x3 convs, even outputs of 6x6 and up or any of 12x12 and up): four tiles at once, odd
  // sizes (partial tiles), padding 0 and 2, depths past one k block in the forward and the input gradient.
  [[2, 9, 12, 12], [10, 3, 3], [1, 1], [1, 1], true],
  [[2, 5, 13, 12], [7, 3, 3], [1, 1], [1, 1], false],
  [[1, 4, 8, 8], [5, 3, 3], [1, 1], [0, 0], true],
  [[2, 3, 8, 8], [4, 3, 3], [1, 1], [2, 2], true],
  [[1, 260, 6, 6], [6, 3, 3], [1, 1], [1, 1], true],
  [[2, 6, 6, 8], [300, 3, 3], [1, 1], [1, 1], false],
];

describe("convolutions match the cpu backend", () => {
  for (const [xs, [o, kh, kw], stride, pad, bias] of convCases) {
    const label = `x ${xs} w ${[o, xs[1], kh, kw]} stride ${stride} pad ${pad}${bias ? " +bias" : ""}`;
    const ws = [o!, xs[1]!, kh!, kw!];
    const oh = Math.floor((xs[2]! + 2 * pad[0] - kh!) / stride[0]) + 1;
    const ow = Math.floor((xs[3]! + 2 * pad[1] - kw!) / stride[1]) + 1;
    const ys = [xs[0]!, o!, oh, ow];
    it(`Conv2D ${label}`, async () => {
      const inputs = { x: random(xs, rng), w: random(ws, rng), ...(bias ? { b: random([o!], rng) } : {}) };
      await expectParity("Conv2D", inputs, { stride, pad });
    });
    it(`Conv2DBackpropInput ${label}`, async () => {
      await expectParity(
        "Conv2DBackpropInput",
        { dy: random(ys, rng), w: random(ws, rng) },
        { xShape: xs, stride, pad },
      );
    });
    it(`Conv2DBackpropFilter ${label}`, async () => {
      await expectParity(
        "Conv2DBackpropFilter",
        { x: random(xs, rng), dy: random(ys, rng) },
        { wShape: ws, stride, pad },
      );
    });
  }
});

describe("MatMul matches the cpu backend", () => {
  const shapes: [number, number, number][] = [
    [5, 7, 9],
    [1, 13, 1],
    [67, 300, 45],
    [256, 512, 10],
    [3, 0, 4],
  ];
  for (const [m, k, n] of shapes) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${m}x${k} x ${k}x${n} transposeA ${transposeA} transposeB ${transposeB}`, async () => {
          const a = random(transposeA ? [k, m] : [m, k], rng);
          const b = random(transposeB ? [n, k] : [k, n], rng);
          await expectParity("MatMul", { a, b }, { transposeA, transposeB });
        });
      }
    }
  }
});

describe("elementwise kernels match the cpu backend", () => {
  for (const shape of [
    [3, 7],
    [2, 3, 5, 7],
    [4, 64, 9, 17],
  ]) {
    it(`Add, Sub, Mul, Scale, Relu, ReluGrad, Sum on ${shape}`, async () => {
      const a = random(shape, rng);
      const b = random(shape, rng);
      await expectParity("Add", { a, b }, {});
      await expectParity("Sub", { a, b }, {});
      await expectParity("Mul", { a, b }, {});
      await expectParity("Scale", { x: a }, { scalar: -0.37 });
      await expectParity("Relu", { x: a }, {});
      await expectParity("ReluGrad", { dy: a, y: b }, {});
      await expectParity("Sum", { x: a }, {});
    });
    it(`BiasAdd and ChannelSum on ${shape}`, async () => {
      await expectParity("BiasAdd", { x: random(shape, rng), b: random([shape[1]!], rng) }, {});
      await expectParity("ChannelSum", { x: random(shape, rng) }, {});
    });
  }
});

describe("special values behave as on the cpu backend", () => {
  it("Relu, ReluGrad, MaxPool and MaxPoolGrad with NaN, infinities and signed zeros", async () => {
    const special = [Number.NaN, 0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2];
    const values = Float32Array.from({ length: 2 * 2 * 6 * 6 }, (_, i) => special[(i * 5) % special.length]!);
    const x = { values, shape: [2, 2, 6, 6] };
    await expectParity("Relu", { x }, {});
    await expectParity("ReluGrad", { dy: random([2, 2, 6, 6], rng), y: x }, {});
    const attrs = { kernel: [3, 3] as Pair, stride: [2, 2] as Pair, pad: [1, 1] as Pair };
    await expectParity("MaxPool", { x }, attrs);
    await expectParity("MaxPoolGrad", { dy: random([2, 2, 3, 3], rng), x }, attrs);
  });

  it("MaxPool and MaxPoolGrad with NaN and infinities in rows wide enough for four windows at once", async () => {
    const special = [Number.NaN, 1, Number.NEGATIVE_INFINITY, 2, -0, Number.POSITIVE_INFINITY, 0, 3, -1];
    const values = Float32Array.from({ length: 2 * 5 * 19 }, (_, i) => special[(i * 7) % special.length]!);
    const x = { values, shape: [1, 2, 5, 19] };
    for (const s of [1, 2]) {
      const attrs = { kernel: [3, 3] as Pair, stride: [s, s] as Pair, pad: [1, 1] as Pair };
      const y = await runOn("cpu", "MaxPool", { x }, attrs);
      await expectParity("MaxPool", { x }, attrs);
      await expectParity("MaxPoolGrad", { dy: random([...y.shapes.out!], rng), x }, attrs);
    }
  });
});

describe("batch norm kernels match the cpu backend", () => {
  for (const shape of [
    [4, 3, 5, 7],
    [6, 10],
    [8, 64, 9, 9],
    [2, 5, 1, 1],
  ]) {
    const c = shape[1]!;
    const params = () => ({ gamma: random([c], rng, { low: 0.5, high: 1.5 }), beta: random([c], rng) });
    const stats = () => ({ mean: random([c], rng), variance: random([c], rng, { low: 0.2, high: 2 }) });
    it(`BatchNormTrain on ${shape}`, async () => {
      const x = random(shape, rng, { low: 2, high: 5 });
      const { mean, variance } = stats();
      const inputs = { x, ...params(), runningMean: mean, runningVar: variance };
      await expectParity("BatchNormTrain", inputs, { eps: 1e-5, momentum: 0.1 });
      await expectParity("BatchNormTrain", inputs, { eps: 1e-3, momentum: 0 });
    });
    it(`BatchNormInfer on ${shape}`, async () => {
      await expectParity("BatchNormInfer", { x: random(shape, rng), ...params(), ...stats() }, { eps: 1e-5 });
    });
    it(`BatchNormGrad on ${shape}`, async () => {
      const { gamma } = params();
      const inputs = { dy: random(shape, rng), x: random(shape, rng), gamma, ...stats() };
      await expectParity("BatchNormGrad", inputs, { eps: 1e-5, training: true });
      await expectParity("BatchNormGrad", inputs, { eps: 1e-5, training: false });
    });
  }
  it("BatchNormTrain on values far from zero with a small spread (one-pass variance, shifted)", async () => {
    const shape = [16, 4, 6, 6];
    const x = random(shape, rng, { low: 999.9, high: 1000.1 });
    const inputs = { x, gamma: random([4], rng), beta: random([4], rng) };
    const running = { runningMean: random([4], rng), runningVar: random([4], rng, { low: 0.2, high: 2 }) };
    await expectParity("BatchNormTrain", { ...inputs, ...running }, { eps: 1e-5, momentum: 0.1 });
  });
});

describe("pooling and resize kernels match the cpu backend", () => {
  const poolCases: [number[], Pair, Pair, Pair][] = [
    [
      [2, 3, 9, 9],
      [3, 3],
      [2, 2],
      [1, 1],
    ],
    [
      [1, 2, 8, 7],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
    [
      [3, 64, 14, 14],
      [3, 3],
      [2, 2],
      [1, 1],
    ],
    [
      [2, 2, 5, 6],
      [3, 2],
      [1, 2],
      [1, 1],
    ],
  ];
  for (const [shape, kernel, stride, pad] of poolCases) {
    it(`MaxPool and MaxPoolGrad ${shape} kernel ${kernel} stride ${stride} pad ${pad}`, async () => {
      const x = random(shape, rng);
      // Ties: round to a few levels so that windows hold equal maxima (gradient goes to the first).
      for (let i = 0; i < x.values.length; i++) x.values[i] = Math.round(x.values[i]! * 2) / 2;
      const y = await runOn("cpu", "MaxPool", { x }, { kernel, stride, pad });
      await expectParity("MaxPool", { x }, { kernel, stride, pad });
      const dy = random([...y.shapes.out!], rng);
      await expectParity("MaxPoolGrad", { dy, x }, { kernel, stride, pad });
    });
  }
  const adaptiveCases: [number[], Pair][] = [
    [
      [2, 3, 7, 5],
      [1, 1],
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
  ];
  for (const [shape, outSize] of adaptiveCases) {
    it(`AdaptiveAvgPool and its gradient ${shape} -> ${outSize}`, async () => {
      await expectParity("AdaptiveAvgPool", { x: random(shape, rng) }, { outSize });
      const dy = random([shape[0]!, shape[1]!, outSize[0], outSize[1]], rng);
      await expectParity("AdaptiveAvgPoolGrad", { dy }, { xShape: shape });
    });
  }
  for (const [shape, size] of [
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
  ] as [number[], Pair][]) {
    it(`ResizeBilinear ${shape} -> ${size}`, async () => {
      await expectParity("ResizeBilinear", { x: random(shape, rng) }, { size });
    });
  }
});

describe("loss and optimizer kernels match the cpu backend", () => {
  for (const [n, k] of [
    [1, 10],
    [7, 3],
    [256, 10],
  ] as [number, number][]) {
    it(`Softmax and SoftmaxCrossEntropy ${n}x${k}`, async () => {
      const logits = random([n, k], rng, { low: -8, high: 8 });
      const labels = {
        values: Float32Array.from({ length: n }, () => Math.floor(rng.uniform(0, k))),
        shape: [n],
      };
      await expectParity("Softmax", { logits }, {});
      for (const labelSmoothing of [0, 0.1, 0.5]) {
        await expectParity("SoftmaxCrossEntropy", { logits, labels }, { labelSmoothing });
      }
    });
  }
  it("SoftmaxCrossEntropy rejects a label out of range, naming it", async () => {
    const logits = random([2, 3], rng);
    const labels = { values: Float32Array.of(1, 3), shape: [2] };
    await expect(
      runOn("wasm", "SoftmaxCrossEntropy", { logits, labels }, { labelSmoothing: 0 }),
    ).rejects.toThrow(/label 3 at row 1/);
  });
  const sgdCases = [
    { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: false },
    { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: true, firstStep: true },
    { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov: false, firstStep: false },
  ];
  for (const attrs of sgdCases) {
    for (const shape of [[7], [64, 3, 3, 3]]) {
      it(`SgdUpdate ${JSON.stringify(attrs)} on ${shape}`, async () => {
        const inputs = {
          param: random(shape, rng),
          grad: random(shape, rng),
          ...(attrs.momentum > 0 ? { momentumBuf: random(shape, rng) } : {}),
        };
        await expectParity("SgdUpdate", inputs, attrs);
      });
    }
  }
});

describe("the wasm backend's runtime", () => {
  it("runs the worker threads it was asked for and reports whether it uses relaxed SIMD", async () => {
    const { setBackend } = await import("@resnet-ts/tensor");
    const three = (await setBackend("wasm-3")) as unknown as {
      runtime: { threads: number; relaxedSimd: boolean };
    };
    expect(three.runtime.threads).toBe(3);
    expect(typeof three.runtime.relaxedSimd).toBe("boolean");
    const plain = (await setBackend("wasm-plain")) as unknown as {
      runtime: { threads: number; relaxedSimd: boolean };
    };
    expect(plain.runtime).toMatchObject({ threads: 1, relaxedSimd: false });
  });
  it("rejects bad options with the option's name", async () => {
    const { createWasmBackend } = await import("../src/index.js");
    await expect(createWasmBackend({ threads: 0 })).rejects.toThrow(/threads must be an integer >= 1, got 0/);
    await expect(createWasmBackend({ maxMemoryMiB: 8 })).rejects.toThrow(/maxMemoryMiB/);
  });
});
