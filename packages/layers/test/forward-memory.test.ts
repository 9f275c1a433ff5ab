/**
 * What a training forward pass leaves alive for backward: per d2l residual block only the tensors PyTorch's
 * autograd saves (conv outputs read by BN, ReLU outputs read by ReLU and the next conv, BN's batch
 * statistics), none of the BN outputs, sums or shortcut convs in between; backward frees them as it goes.
 */
import { getBackend, mul, Rng, randn, sum, tidy } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { BatchNorm2d, Conv2d, MaxPool2d, ReLU, Residual, Sequential } from "../src/index.js";

const liveFloats = () => getBackend().memory().bytes / 4;

describe("a training forward pass keeps what backward reads", () => {
  it.each([
    { name: "identity shortcut", c: 4, out: 4, stride: 1, projection: false },
    { name: "1x1 projection, stride 2", c: 4, out: 6, stride: 2, projection: true },
  ])("Residual with $name: two conv outputs, two ReLU outputs and the BN statistics", (b) => {
    const rng = new Rng(3);
    const block = new Residual(b.c, b.out, { use1x1conv: b.projection, strides: b.stride, rng });
    const x = randn([2, b.c, 8, 8], rng);
    const start = liveFloats();
    tidy(() => {
      const y = block.forward(x);
      const map = y.size; // [2, out, 8 / stride, 8 / stride]
      // conv1, relu(bn1), conv2 and the block's output; mean and variance of bn1 and bn2.
      expect(liveFloats() - start).toBe(4 * map + 4 * b.out);
      sum(mul(y, randn(y.shape, rng))).backward();
      // What the caller made (the output, the weights of the sum, their product, the loss) and the gradients.
      const params = block.parameters().reduce((n, p) => n + p.size, 0);
      expect(liveFloats() - start).toBe(3 * map + 1 + params);
    });
    for (const p of block.parameters()) p.zeroGrad();
    expect(liveFloats()).toBe(start);
  });

  it("d2l's first stage (conv, BN, ReLU, max pool): the BN output goes, the conv and ReLU outputs stay", () => {
    const rng = new Rng(5);
    const stage = new Sequential(
      new Conv2d(1, 3, 7, { stride: 2, padding: 3, rng }),
      new BatchNorm2d(3),
      new ReLU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }),
    );
    const x = randn([2, 1, 16, 16], rng);
    const start = liveFloats();
    tidy(() => {
      const y = stage.forward(x);
      const map = 2 * 3 * 8 * 8;
      expect(liveFloats() - start).toBe(2 * map + y.size + 2 * 3);
      sum(y).backward();
      // The pooled output (the caller's), the loss and the gradients.
      expect(liveFloats() - start).toBe(y.size + 1 + stage.parameters().reduce((n, p) => n + p.size, 0));
    });
    for (const p of stage.parameters()) p.zeroGrad();
    expect(liveFloats()).toBe(start);
  });
});
