import { add, mul, Rng, randn, sum, type Tensor } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { Residual } from "../src/index.js";

/** A scalar that depends on every output element with distinct weights. */
function objective(y: Tensor, weights: Tensor): Tensor {
  return sum(mul(y, weights));
}

describe("Residual gradients", () => {
  it("match central finite differences through a block with a 1x1 shortcut (train mode)", () => {
    const rng = new Rng(7);
    const blk = new Residual(2, 3, { use1x1conv: true, strides: 2, rng });
    const x = randn([2, 2, 5, 5], rng).requireGrad();
    const weights = randn([2, 3, 3, 3], rng);
    const loss = objective(blk.forward(x), weights);
    loss.backward();

    // Finite differences move one value at a time; BN momentum must not drift the comparison, and train-mode
    // outputs do not depend on running stats, so repeated forwards are consistent.
    const f = () => objective(blk.forward(x), weights).item();
    const probes: [string, Tensor][] = [
      ["x", x],
      ["conv1.weight", blk.conv1.weight],
      ["conv3.weight", blk.conv3!.weight],
      ["conv3.bias", blk.conv3!.bias!],
      ["bn1.weight", blk.bn1.weight],
      ["bn2.bias", blk.bn2.bias],
    ];
    for (const [name, t] of probes) {
      const analytic = t.grad!.dataSync();
      const values = t.dataSync();
      for (const i of [0, Math.floor(t.size / 2), t.size - 1]) {
        const h = 1e-2;
        const plus = values.slice();
        plus[i]! += h;
        t.assign(plus);
        const up = f();
        const minus = values.slice();
        minus[i]! -= h;
        t.assign(minus);
        const down = f();
        t.assign(values);
        const numeric = (up - down) / (2 * h);
        expect(
          Math.abs(numeric - analytic[i]!),
          `${name}[${i}]: numeric ${numeric} vs analytic ${analytic[i]}`,
        ).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
      }
    }
  });

  it("send gradient through the identity shortcut", () => {
    const rng = new Rng(3);
    const blk = new Residual(2, 2, { rng });
    const x = randn([1, 2, 4, 4], rng).requireGrad();
    sum(add(blk.forward(x), x)).backward();
    expect(x.grad!.dataSync().some((v) => v !== 0)).toBe(true);
  });
});
