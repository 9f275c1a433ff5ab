/** The in-place SGD update against PyTorch's rule, by hand and with a float64 reference over several steps. */
import { describe, expect, it } from "vitest";
import { Rng, type SgdStepOptions, fromArray, sgdUpdate, zeros } from "../src/index.js";
import { expectClose, normalValues } from "./helpers.js";

interface Hyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** torch.optim.SGD's step for one parameter, in float64. */
function referenceStep(
  p: number[],
  g: readonly number[],
  buf: number[] | null,
  h: Hyper,
  first: boolean,
): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i]! + h.weightDecay * p[i]!;
    if (h.momentum > 0 && buf) {
      buf[i] = first ? d : h.momentum * buf[i]! + (1 - h.dampening) * d;
      d = h.nesterov ? d + h.momentum * buf[i]! : buf[i]!;
    }
    p[i] = p[i]! - h.lr * d;
  }
}

describe("sgdUpdate", () => {
  it("plain SGD: param -= lr * grad (hand-computed)", () => {
    const p = fromArray([1, -2, 3]);
    sgdUpdate(p, fromArray([0.5, 0.5, -1]), null, { lr: 0.1 });
    expectClose(p.dataSync(), [0.95, -2.05, 3.1]);
  });

  it("momentum 0.9 with weight decay 0.01: two steps by hand, the first copies the gradient into the buffer", () => {
    const p = fromArray([1]);
    const buf = zeros([1]);
    const h = { lr: 0.1, momentum: 0.9, weightDecay: 0.01 };
    sgdUpdate(p, fromArray([0.5]), buf, { ...h, firstStep: true });
    // g = 0.5 + 0.01 * 1 = 0.51; buf = g; p = 1 - 0.051
    expectClose(buf.dataSync(), [0.51]);
    expectClose(p.dataSync(), [0.949]);
    sgdUpdate(p, fromArray([0.5]), buf, h);
    // g = 0.5 + 0.00949 = 0.50949; buf = 0.9 * 0.51 + 0.50949 = 0.96849; p = 0.949 - 0.096849
    expectClose(buf.dataSync(), [0.96849]);
    expectClose(p.dataSync(), [0.852151]);
  });

  it("dampening applies from the second step only; nesterov adds momentum * buf to the gradient (by hand)", () => {
    const p = fromArray([0]);
    const buf = zeros([1]);
    sgdUpdate(p, fromArray([1]), buf, { lr: 1, momentum: 0.5, dampening: 0.5, firstStep: true });
    expectClose(buf.dataSync(), [1]);
    sgdUpdate(p, fromArray([1]), buf, { lr: 1, momentum: 0.5, dampening: 0.5 });
    expectClose(buf.dataSync(), [0.5 + 0.5]);
    expectClose(p.dataSync(), [-2]);

    const q = fromArray([0]);
    const nb = zeros([1]);
    sgdUpdate(q, fromArray([2]), nb, { lr: 0.5, momentum: 0.5, nesterov: true, firstStep: true });
    // buf = 2; d = 2 + 0.5 * 2 = 3; q = -1.5
    expectClose(q.dataSync(), [-1.5]);
    sgdUpdate(q, fromArray([2]), nb, { lr: 0.5, momentum: 0.5, nesterov: true });
    // buf = 1 + 2 = 3; d = 2 + 1.5 = 3.5; q = -1.5 - 1.75
    expectClose(nb.dataSync(), [3]);
    expectClose(q.dataSync(), [-3.25]);
  });

  const configs: Hyper[] = [
    { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 5e-4, nesterov: false },
    { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: false },
    { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0, nesterov: false },
    { lr: 0.01, momentum: 0.8, dampening: 0, weightDecay: 1e-3, nesterov: true },
  ];
  for (const h of configs) {
    it(`matches the float64 rule over 4 steps: ${JSON.stringify(h)}`, () => {
      const rng = new Rng(1);
      const p0 = normalValues(10, rng);
      const param = fromArray(p0);
      const buf = h.momentum > 0 ? zeros([10]) : null;
      const ref = Array.from(p0);
      const refBuf = h.momentum > 0 ? new Array(10).fill(0) : null;
      for (let step = 0; step < 4; step++) {
        const g = normalValues(10, rng);
        const options: SgdStepOptions = { ...h, firstStep: step === 0 };
        sgdUpdate(param, fromArray(g), buf, options);
        referenceStep(ref, Array.from(g), refBuf, h, step === 0);
      }
      expectClose(param.dataSync(), ref, { rtol: 1e-5, atol: 1e-6 }, "param");
      if (buf && refBuf) expectClose(buf.dataSync(), refBuf, { rtol: 1e-5, atol: 1e-6 }, "momentum buffer");
    });
  }

  it("does not touch the gradient", () => {
    const g = fromArray([1, 2]);
    sgdUpdate(fromArray([0, 0]), g, zeros([2]), { lr: 1, momentum: 0.9, weightDecay: 0.1 });
    expect(Array.from(g.dataSync())).toEqual([1, 2]);
  });
});
