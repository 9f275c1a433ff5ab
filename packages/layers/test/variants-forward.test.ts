import { add, conv2d, Rng, randn, relu, type Tensor } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import {
  BasicBlock,
  BLOCK_ARRANGEMENTS,
  type BlockArrangement,
  Bottleneck,
  type Conv2d,
  Residual,
} from "../src/index.js";
import { bnByHand, randomiseBatchNorms } from "./variants-helpers.js";

const conv = (c: Conv2d, x: Tensor) => conv2d(x, c.weight, c.bias, { stride: c.stride, padding: c.padding });

/** He et al. 2016 Fig. 4, written out for a two-unit block with shortcut s (x or a projection of `pre`). */
function basicByHand(blk: BasicBlock, x: Tensor, plain: boolean): Tensor {
  const { conv1, bn1, conv2, bn2, conv3 } = blk;
  const bn = bnByHand;
  const withShortcut = (y: Tensor, pre: Tensor) => (plain ? y : add(y, conv3 ? conv(conv3, pre) : x));
  switch (blk.arrangement) {
    case "original":
      return relu(withShortcut(bn(bn2, conv(conv2, relu(bn(bn1, conv(conv1, x))))), x));
    case "bn-after-add":
      return relu(bn(bn2, withShortcut(conv(conv2, relu(bn(bn1, conv(conv1, x)))), x)));
    case "relu-before-add":
      return withShortcut(relu(bn(bn2, conv(conv2, relu(bn(bn1, conv(conv1, x)))))), x);
    case "relu-preact": {
      const pre = relu(x);
      return withShortcut(bn(bn2, conv(conv2, relu(bn(bn1, conv(conv1, pre))))), pre);
    }
    case "full-preact": {
      const pre = relu(bn(bn1, x));
      return withShortcut(conv(conv2, relu(bn(bn2, conv(conv1, pre)))), pre);
    }
  }
}

function expectClose(actual: Tensor, expected: Tensor, tol = 1e-4): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
  expect(worst).toBeLessThan(tol);
}

describe.each(BLOCK_ARRANGEMENTS)("BasicBlock '%s'", (arrangement: BlockArrangement) => {
  for (const [label, inC, outC, strides] of [
    ["identity shortcut", 3, 3, 1],
    ["projection shortcut", 2, 4, 2],
  ] as const) {
    for (const plain of [false, true]) {
      it(`forward matches its definition (${label}${plain ? ", plain" : ""})`, () => {
        const rng = new Rng(11);
        const blk = new BasicBlock(inC, outC, { strides, arrangement, plain, rng });
        randomiseBatchNorms(blk, rng);
        const x = randn([2, inC, 5, 5], rng);
        expectClose(blk.forward(x), basicByHand(blk, x, plain));
      });
    }
  }

  it("plain and residual twins have the same parameters and differ in output", () => {
    const res = new BasicBlock(2, 4, { strides: 2, arrangement, rng: new Rng(5) });
    const plain = new BasicBlock(2, 4, { strides: 2, arrangement, plain: true, rng: new Rng(5) });
    const shapes = (m: BasicBlock) => m.namedParameters().map(([n, t]) => [n, t.shape]);
    expect(shapes(plain)).toEqual(shapes(res));
    expect(Object.keys(plain.stateDict())).toEqual(Object.keys(res.stateDict()));
    const x = randn([2, 2, 6, 6], new Rng(9));
    const a = res.forward(x).dataSync();
    const b = plain.forward(x).dataSync();
    expect(a.some((v, i) => Math.abs(v - b[i]!) > 1e-3)).toBe(true);
  });
});

describe("BasicBlock 'original'", () => {
  it("is d2l's Residual: same weights from the same rng, same output and keys", () => {
    const ours = new BasicBlock(3, 6, { strides: 2, rng: new Rng(4) });
    const d2l = new Residual(3, 6, { use1x1conv: true, strides: 2, rng: new Rng(4) });
    const ourDict = ours.stateDict();
    const d2lDict = d2l.stateDict();
    expect(Object.keys(ourDict)).toEqual(Object.keys(d2lDict));
    for (const [k, v] of Object.entries(d2lDict)) expect(ourDict[k]!.data).toEqual(v.data);
    const x = randn([2, 3, 6, 6], new Rng(1));
    expectClose(ours.forward(x), d2l.forward(x), 1e-6);
  });

  it("updates each BatchNorm's running statistics once per forward", () => {
    for (const arrangement of BLOCK_ARRANGEMENTS) {
      const blk = new BasicBlock(2, 4, { strides: 2, arrangement });
      blk.forward(randn([2, 2, 4, 4], new Rng(2)));
      expect([blk.bn1.numBatchesTracked, blk.bn2.numBatchesTracked]).toEqual([1n, 1n]);
    }
  });
});

function bottleneckByHand(blk: Bottleneck, x: Tensor): Tensor {
  const { conv1, bn1, conv2, bn2, conv3, bn3, downsample } = blk;
  const bn = bnByHand;
  const shortcut = (pre: Tensor) => {
    if (!downsample) return x;
    const [c, b] = downsample.layers as [Conv2d, Parameters<typeof bnByHand>[0]];
    return bn(b, conv(c, pre));
  };
  if (blk.arrangement === "original") {
    const y = bn(bn3, conv(conv3, relu(bn(bn2, conv(conv2, relu(bn(bn1, conv(conv1, x))))))));
    return relu(blk.plain ? y : add(y, shortcut(x)));
  }
  if (blk.arrangement === "full-preact") {
    const pre = relu(bn(bn1, x));
    const y = conv(conv3, relu(bn(bn3, conv(conv2, relu(bn(bn2, conv(conv1, pre)))))));
    return blk.plain ? y : add(y, shortcut(pre));
  }
  throw new Error(`no hand-written bottleneck for ${blk.arrangement}`);
}

describe("Bottleneck", () => {
  for (const arrangement of ["original", "full-preact"] as const) {
    for (const [inC, width, strides] of [
      [8, 2, 1],
      [4, 2, 2],
    ] as const) {
      for (const plain of [false, true]) {
        it(`'${arrangement}' forward matches its definition (in ${inC}, width ${width}, stride ${strides}${plain ? ", plain" : ""})`, () => {
          const rng = new Rng(21);
          const blk = new Bottleneck(inC, width, { strides, arrangement, plain, rng });
          randomiseBatchNorms(blk, rng);
          const x = randn([2, inC, 5, 5], rng);
          const y = blk.forward(x);
          expect(y.shape).toEqual([2, width * 4, strides === 2 ? 3 : 5, strides === 2 ? 3 : 5]);
          expectClose(y, bottleneckByHand(blk, x));
        });
      }
    }
  }

  it("has torchvision's keys, a projection only when the shape changes, and expansion 4", () => {
    const same = new Bottleneck(8, 2);
    expect(same.downsample).toBeNull();
    const proj = new Bottleneck(4, 2, { strides: 2 });
    expect(Object.entries(proj.stateDict()).map(([k, v]) => [k, v.shape])).toEqual([
      ["conv1.weight", [2, 4, 1, 1]],
      ["bn1.weight", [2]],
      ["bn1.bias", [2]],
      ["bn1.running_mean", [2]],
      ["bn1.running_var", [2]],
      ["bn1.num_batches_tracked", []],
      ["conv2.weight", [2, 2, 3, 3]],
      ["bn2.weight", [2]],
      ["bn2.bias", [2]],
      ["bn2.running_mean", [2]],
      ["bn2.running_var", [2]],
      ["bn2.num_batches_tracked", []],
      ["conv3.weight", [8, 2, 1, 1]],
      ["bn3.weight", [8]],
      ["bn3.bias", [8]],
      ["bn3.running_mean", [8]],
      ["bn3.running_var", [8]],
      ["bn3.num_batches_tracked", []],
      ["downsample.0.weight", [8, 4, 1, 1]],
      ["downsample.1.weight", [8]],
      ["downsample.1.bias", [8]],
      ["downsample.1.running_mean", [8]],
      ["downsample.1.running_var", [8]],
      ["downsample.1.num_batches_tracked", []],
    ]);
  });
});
