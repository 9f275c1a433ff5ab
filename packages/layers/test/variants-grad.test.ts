import { mul, Rng, randn, sum, type Tensor } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { type ArrangedBlock, BasicBlock, BLOCK_ARRANGEMENTS, Bottleneck } from "../src/index.js";
import { randomiseBatchNorms } from "./variants-helpers.js";

/** Compares autograd with central differences at three entries of each probed tensor (train mode). */
function checkGradients(blk: ArrangedBlock, x: Tensor, probes: [string, Tensor][], rng: Rng): void {
  const y0 = blk.forward(x);
  const weights = randn(y0.shape, rng);
  const objective = () => sum(mul(blk.forward(x), weights));
  blk.zeroGrad();
  x.zeroGrad();
  objective().backward();
  for (const [name, t] of probes) {
    const analytic = t.grad!.dataSync();
    const values = t.dataSync();
    for (const i of [0, Math.floor(t.size / 2), t.size - 1]) {
      const at = (delta: number) => {
        const moved = values.slice();
        moved[i]! += delta;
        t.assign(moved);
        return objective().item();
      };
      // A ReLU input within h of zero bends the difference quotient, so shrink h until one agrees: a wrong
      // gradient agrees with none of them.
      const numerics = [1e-2, 1e-3, 1e-4].map((h) => (at(h) - at(-h)) / (2 * h));
      t.assign(values);
      const errors = numerics.map((n) => Math.abs(n - analytic[i]!) / Math.max(1, Math.abs(n)));
      expect(
        Math.min(...errors),
        `${name}[${i}]: numeric ${numerics.join(", ")} vs analytic ${analytic[i]}`,
      ).toBeLessThan(2e-2);
    }
  }
}

describe.each(BLOCK_ARRANGEMENTS)("gradients of '%s' blocks", (arrangement) => {
  it("BasicBlock with a projection matches finite differences", () => {
    const rng = new Rng(13);
    const blk = new BasicBlock(2, 3, { strides: 2, arrangement, rng });
    randomiseBatchNorms(blk, rng);
    const x = randn([2, 2, 5, 5], rng).requireGrad();
    checkGradients(
      blk,
      x,
      [
        ["x", x],
        ["conv1.weight", blk.conv1.weight],
        ["conv2.bias", blk.conv2.bias!],
        ["conv3.weight", blk.conv3!.weight],
        ["bn1.weight", blk.bn1.weight],
        ["bn2.bias", blk.bn2.bias],
      ],
      rng,
    );
  });

  it("plain BasicBlock with the identity shape matches finite differences", () => {
    // (With seed 17 a ReLU input lies within 1e-4 of zero, too close for float32 differences.)
    const rng = new Rng(23);
    const blk = new BasicBlock(2, 2, { arrangement, plain: true, rng });
    randomiseBatchNorms(blk, rng);
    const x = randn([2, 2, 4, 4], rng).requireGrad();
    checkGradients(
      blk,
      x,
      [
        ["x", x],
        ["conv1.weight", blk.conv1.weight],
        ["bn2.weight", blk.bn2.weight],
      ],
      rng,
    );
  });

  it("Bottleneck with a projection matches finite differences", () => {
    const rng = new Rng(19);
    const blk = new Bottleneck(3, 2, { strides: 2, arrangement, rng });
    randomiseBatchNorms(blk, rng);
    const x = randn([2, 3, 4, 4], rng).requireGrad();
    const [proj] = blk.downsample!.layers as [BasicBlock["conv1"]];
    checkGradients(
      blk,
      x,
      [
        ["x", x],
        ["conv2.weight", blk.conv2.weight],
        ["bn3.bias", blk.bn3.bias],
        ["downsample.0.weight", proj.weight],
      ],
      rng,
    );
  });
});

describe("the plain block's unused projection", () => {
  it("receives no gradient", () => {
    const rng = new Rng(1);
    const blk = new BasicBlock(2, 3, { strides: 2, plain: true, rng });
    sum(blk.forward(randn([2, 2, 4, 4], rng))).backward();
    expect(blk.conv1.weight.grad).not.toBeNull();
    expect(blk.conv3!.weight.grad).toBeNull();
  });
});
