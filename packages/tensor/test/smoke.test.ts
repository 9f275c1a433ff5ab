import { describe, expect, it } from "vitest";
import { Rng, conv2d, fromArray, randn, relu, sum, mul, add } from "../src/index.js";

describe("smoke", () => {
  it("runs conv and backward", () => {
    const rng = new Rng(1);
    const x = randn([2, 3, 5, 5], rng).requireGrad();
    const w = randn([4, 3, 3, 3], rng).requireGrad();
    const y = relu(conv2d(x, w, null, { padding: 1 }));
    const l = sum(mul(y, y));
    l.backward();
    expect(x.grad?.shape).toEqual([2, 3, 5, 5]);
    const a = fromArray([1, 2, 3]).requireGrad();
    const s = sum(add(mul(a, a), a));
    s.backward();
    expect(Array.from(a.grad!.dataSync())).toEqual([3, 5, 7]);
  });
});
