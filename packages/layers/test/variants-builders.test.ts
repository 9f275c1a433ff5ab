import { Rng, randn } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import {
  AdaptiveAvgPool2d,
  applyXavier,
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  resnetBlock,
  Sequential,
  type StateDict,
  BLOCK_ARRANGEMENTS,
  cifarResnet,
  networkDepth,
  parseVariant,
  RESNET_DEPTHS,
  resnet,
  resnet18,
  variantName,
} from "../src/index.js";

/** Whether two state dicts hold the same keys in the same order and the same bytes (fast on 11M values). */
function sameState(a: StateDict, b: StateDict): boolean {
  const bytes = (v: StateDict[string]) => Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  const keys = Object.keys(a);
  return keys.join() === Object.keys(b).join() && keys.every((k) => bytes(a[k]!).equals(bytes(b[k]!)));
}

/** d2l's ResNet-18 as the chapter writes it: b1, four resnet_block stages of Residuals, pool, flatten, Linear. */
function d2lByHand(seed: number): Sequential {
  const rng = new Rng(seed);
  const net = new Sequential(
    new Sequential(
      new Conv2d(1, 64, 7, { stride: 2, padding: 3, rng }),
      new BatchNorm2d(64),
      new ReLU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }),
    ),
    resnetBlock(64, 64, 2, { firstBlock: true, rng }),
    resnetBlock(64, 128, 2, { rng }),
    resnetBlock(128, 256, 2, { rng }),
    resnetBlock(256, 512, 2, { rng }),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(512, 10, { rng }),
  );
  applyXavier(net, rng);
  return net;
}

describe("resnet()", () => {
  it("with the defaults is d2l's ResNet-18 built from Residual / resnetBlock, and resnet18() is it", () => {
    const ours = resnet({ seed: 3 });
    const d2l = d2lByHand(3);
    expect(sameState(resnet18({ seed: 3 }).stateDict(), ours.stateDict())).toBe(true);
    const a = ours.stateDict();
    const b = d2l.stateDict();
    expect(Object.keys(a)).toHaveLength(127);
    expect(sameState(a, b)).toBe(true);
    expect(ours.numParameters()).toBe(11_178_378);
    const x = randn([2, 1, 28, 28], new Rng(1));
    expect(Array.from(ours.forward(x).dataSync())).toEqual(Array.from(d2l.forward(x).dataSync()));
  });

  it("builds ResNet-34 from depths [3,4,6,3]", () => {
    const net = resnet({ depths: RESNET_DEPTHS.resnet34, init: "default" });
    const blocks = [1, 2, 3, 4].map((s) => net.namedChildren()[s]![1].children().length);
    expect(blocks).toEqual([3, 4, 6, 3]);
    expect(networkDepth("basic", RESNET_DEPTHS.resnet34)).toBe(34);
    expect(net.stateDict()["4.2.conv2.weight"]!.shape).toEqual([512, 512, 3, 3]);
  });

  it("builds ResNet-50 from bottlenecks: torchvision's count less its 3-channel stem and 1000-class head", () => {
    // torchvision resnet50: 25,557,032 parameters; here the stem conv sees 1 channel and has a bias
    // (64*3*49 -> 64*49 + 64) and the Linear has 10 outputs (2048*1000 + 1000 -> 2048*10 + 10).
    const net = resnet({ block: "bottleneck", depths: RESNET_DEPTHS.resnet34, init: "default" });
    expect(net.numParameters()).toBe(
      25_557_032 - 64 * 3 * 49 + (64 * 49 + 64) - (2048 * 1000 + 1000) + (2048 * 10 + 10),
    );
    expect(networkDepth("bottleneck", RESNET_DEPTHS.resnet34)).toBe(50);
  });

  it("adds the final BN + ReLU of pre-activation nets as top-level child 5, before pool, flatten and Linear", () => {
    const keys = Object.keys(resnet({ arrangement: "full-preact", init: "default" }).stateDict());
    expect(keys.filter((k) => /^[5-9]\./.test(k))).toEqual([
      "5.0.weight",
      "5.0.bias",
      "5.0.running_mean",
      "5.0.running_var",
      "5.0.num_batches_tracked",
      "8.weight",
      "8.bias",
    ]);
    // Full pre-activation: bn1 normalises the block's input (64 channels into the 128-channel stage).
    expect(
      resnet({ arrangement: "full-preact", init: "default" }).stateDict()["2.0.bn1.weight"]!.shape,
    ).toEqual([64]);
  });
});

describe("cifarResnet()", () => {
  it("has depth 6n+2, d2l-style keys and a 10-way output at 28x28", () => {
    const net = cifarResnet({ n: 2 });
    expect(networkDepth("basic", [2, 2, 2])).toBe(14);
    const shapes = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.shape]));
    expect(shapes["0.0.weight"]).toEqual([16, 1, 3, 3]);
    expect(shapes["1.0.conv1.weight"]).toEqual([16, 16, 3, 3]);
    expect(shapes["1.0.conv3.weight"]).toBeUndefined();
    expect(shapes["2.0.conv3.weight"]).toEqual([32, 16, 1, 1]);
    expect(shapes["3.1.bn2.weight"]).toEqual([64]);
    expect(shapes["6.weight"]).toEqual([10, 64]);
    expect(net.forward(randn([2, 1, 28, 28], new Rng(4))).shape).toEqual([2, 10]);
  });

  it("gives pre-activation nets a conv-only stem and a final BN", () => {
    const keys = Object.keys(cifarResnet({ n: 1, arrangement: "relu-preact" }).stateDict());
    expect(keys.filter((k) => k.startsWith("0."))).toEqual(["0.0.weight", "0.0.bias"]);
    expect(keys).toContain("4.0.running_var");
    expect(keys.at(-1)).toBe("7.bias");
  });

  it.each(BLOCK_ARRANGEMENTS)(
    "'%s': the plain twin has the same state-dict entries and a different output",
    (arrangement) => {
      const res = cifarResnet({ n: 1, widths: [4, 8, 8], arrangement, seed: 5 });
      const plain = cifarResnet({ n: 1, widths: [4, 8, 8], arrangement, plain: true, seed: 5 });
      const a = res.stateDict();
      const b = plain.stateDict();
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const [k, v] of Object.entries(a)) expect(b[k]!.data, k).toEqual(v.data);
      const x = randn([2, 1, 12, 12], new Rng(6));
      const ya = res.forward(x).dataSync();
      const yb = plain.forward(x).dataSync();
      expect(ya.some((v, i) => Math.abs(v - yb[i]!) > 1e-4)).toBe(true);
    },
  );

  it("rejects a bad n, arrangement or widths with the value named", () => {
    expect(() => cifarResnet({ n: 0 })).toThrow(/n must be an integer >= 1, got 0/);
    expect(() => cifarResnet({ n: 1, arrangement: "sideways" as never })).toThrow(
      /unknown block arrangement 'sideways'/,
    );
    expect(() => resnet({ depths: [2, 2], widths: [8] })).toThrow(/same length/);
  });
});

describe("variant names", () => {
  it("parse and print back", () => {
    for (const name of [
      "original",
      "full-preact",
      "plain",
      "plain-full-preact",
      "bottleneck",
      "plain-bottleneck-relu-preact",
    ]) {
      expect(variantName(parseVariant(name))).toBe(name);
    }
    expect(parseVariant("plain")).toEqual({ block: "basic", arrangement: "original", plain: true });
    expect(parseVariant("bottleneck-bn-after-add")).toEqual({
      block: "bottleneck",
      arrangement: "bn-after-add",
      plain: false,
    });
    expect(() => parseVariant("plainish")).toThrow(/unknown variant 'plainish'/);
  });
});
