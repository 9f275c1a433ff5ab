import { BatchNorm2d, Conv2d, Flatten, Linear, ReLU, Sequential } from "@resnet-ts/layers";
import { fromArray, mul, Rng, randn, sum } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { activationStats, gradientNorms } from "../src/diagnostics.js";

function tinyNet(): Sequential {
  const rng = new Rng(2);
  return new Sequential(
    new Sequential(new Conv2d(1, 2, 3, { padding: 1, rng }), new BatchNorm2d(2), new ReLU()),
    new Flatten(),
    new Linear(2 * 3 * 3, 3, { rng }),
  );
}

describe("gradientNorms", () => {
  it("is the L2 norm of each stage's or parameter's gradient, computed by hand", () => {
    const net = tinyNet();
    const x = randn([2, 1, 3, 3], new Rng(3));
    sum(mul(net.forward(x), randn([2, 3], new Rng(4)))).backward();
    const l2 = (...arrays: Float32Array[]) =>
      Math.sqrt(arrays.flatMap((a) => Array.from(a)).reduce((s, v) => s + v * v, 0));
    const grads = Object.fromEntries(net.namedParameters().map(([n, p]) => [n, p.grad!.dataSync()]));

    const byStage = gradientNorms(net);
    expect(byStage.map((g) => g.name)).toEqual(["0", "2"]);
    expect(byStage[0]!.norm).toBeCloseTo(
      l2(grads["0.0.weight"]!, grads["0.0.bias"]!, grads["0.1.weight"]!, grads["0.1.bias"]!),
      5,
    );
    expect(byStage[0]!.values).toBe(18 + 2 + 2 + 2);
    expect(byStage[1]!.norm).toBeCloseTo(l2(grads["2.weight"]!, grads["2.bias"]!), 5);

    const byParameter = gradientNorms(net, { groupBy: "parameter" });
    expect(byParameter.map((g) => g.name)).toEqual([
      "0.0.weight",
      "0.0.bias",
      "0.1.weight",
      "0.1.bias",
      "2.weight",
      "2.bias",
    ]);
    expect(byParameter[4]!.norm).toBeCloseTo(l2(grads["2.weight"]!), 5);
  });

  it("leaves out parameters without a gradient and rejects an unknown grouping", () => {
    const net = tinyNet();
    expect(gradientNorms(net)).toEqual([]);
    expect(() => gradientNorms(net, { groupBy: "layer" as never })).toThrow(
      /groupBy must be "stage" or "parameter", got "layer"/,
    );
  });
});

describe("activationStats", () => {
  it("describes each top-level child's output: shape, mean, std and the fraction of zeros", () => {
    const net = new Sequential(new ReLU(), new Flatten());
    const x = fromArray([-1, 0, 2, 3, -4, 5, 6, 0], [1, 2, 2, 2]);
    const stats = activationStats(net, x);
    // ReLU output: 0 0 2 3 0 5 6 0 -> mean 2, variance (4+4+0+1+4+9+16+4)/8 = 5.25, zeros 4/8.
    expect(stats[0]).toEqual({
      name: "0",
      shape: [1, 2, 2, 2],
      mean: 2,
      std: Math.sqrt(5.25),
      zeroFraction: 0.5,
    });
    expect(stats[1]!.shape).toEqual([1, 8]);
  });

  it("uses batch statistics in train mode and leaves running statistics, counts and flags as they were", () => {
    const net = tinyNet();
    const bn = net.layers[0]!.children()[1] as BatchNorm2d;
    bn.runningMean.assign(Float32Array.of(5, -5));
    net.layers[2]!.training = false;
    const before = net.stateDict();
    const x = randn([4, 1, 3, 3], new Rng(5));
    const train = activationStats(net, x, { mode: "train" });
    const evalStats = activationStats(net, x);
    // With batch statistics each channel is normalised (then ReLU), unlike with the shifted running mean.
    expect(train[0]!.mean).not.toBeCloseTo(evalStats[0]!.mean, 2);
    expect(bn.numBatchesTracked).toBe(0n);
    expect(Array.from(bn.runningMean.dataSync())).toEqual([5, -5]);
    expect(Object.keys(net.stateDict())).toEqual(Object.keys(before));
    expect(net.layers.map((m) => m.training)).toEqual([true, true, false]);
  });
});
