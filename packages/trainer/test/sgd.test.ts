import { fromArray, mul, sum, type Tensor } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { SGD, type SgdOptions } from "../src/index.js";

// Reference trajectories from torch.optim.SGD (PyTorch 1.13) on p0 = [1, -2, 0.5], loss = sum(c * p * p),
// c = [0.5, 1, 2], three steps: the parameter after each step and the final momentum buffer.
const REFERENCE: Record<string, { options: SgdOptions; steps: number[][]; buffer: number[] | null }> = {
  plain: {
    options: { lr: 0.1 },
    steps: [
      [0.899999976, -1.60000002, 0.300000012],
      [0.810000002, -1.27999997, 0.180000007],
      [0.728999972, -1.02399993, 0.108000003],
    ],
    buffer: null,
  },
  momentum: {
    options: { lr: 0.1, momentum: 0.9 },
    steps: [
      [0.899999976, -1.60000002, 0.300000012],
      [0.719999969, -0.920000017, 7.4505806e-9],
      [0.485999972, -0.123999998, -0.269999981],
    ],
    buffer: [2.33999991, -7.96000004, 2.69999981],
  },
  dampening: {
    options: { lr: 0.1, momentum: 0.9, dampening: 0.5 },
    steps: [
      [0.899999976, -1.60000002, 0.300000012],
      [0.764999986, -1.08000004, 0.0599999987],
      [0.605250001, -0.504000068, -0.167999998],
    ],
    buffer: [1.59749985, -5.75999975, 2.27999997],
  },
  weightDecay: {
    options: { lr: 0.1, weightDecay: 0.1 },
    steps: [
      [0.889999986, -1.58000004, 0.294999987],
      [0.792100012, -1.24820006, 0.174049988],
      [0.704968989, -0.986078024, 0.102689497],
    ],
    buffer: null,
  },
  nesterov: {
    options: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 },
    steps: [
      [0.791000009, -1.20200002, 0.110500023],
      [0.536581039, -0.382202029, -0.141629487],
      [0.273767501, 0.280936748, -0.217442155],
    ],
    buffer: [2.2643292, -6.47640371, 1.48756409],
  },
};

const c = () => fromArray([0.5, 1, 2]);
function backwardQuadratic(p: Tensor): void {
  sum(mul(mul(p, p), c())).backward();
}
const expectClose = (actual: ArrayLike<number>, expected: number[]) =>
  expected.forEach((v, i) => {
    expect(actual[i]).toBeCloseTo(v, 6);
  });

describe("SGD", () => {
  for (const [name, ref] of Object.entries(REFERENCE)) {
    it(`matches torch.optim.SGD: ${name}`, () => {
      const p = fromArray([1, -2, 0.5]).requireGrad();
      const opt = new SGD([p], ref.options);
      for (const expected of ref.steps) {
        opt.zeroGrad();
        backwardQuadratic(p);
        opt.step();
        expectClose(p.dataSync(), expected);
      }
      expect(opt.stepCount).toBe(3);
      const buf = opt.stateDict().momentumBuffers[0];
      if (ref.buffer) expectClose(buf!.data, ref.buffer);
      else expect(buf).toBeNull();
    });
  }

  it("skips parameters without a gradient and creates their momentum buffer on first use", () => {
    const a = fromArray([1, -2, 0.5]).requireGrad();
    const b = fromArray([3]).requireGrad();
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    backwardQuadratic(a);
    opt.step();
    expect(b.dataSync()[0]).toBe(3);
    expect(opt.stateDict().momentumBuffers[1]).toBeNull();
    // b's first update copies its gradient into the buffer (no dampening on the first step, as PyTorch).
    opt.zeroGrad();
    sum(mul(b, b)).backward();
    opt.step();
    expect(opt.stateDict().momentumBuffers[1]!.data[0]).toBeCloseTo(6, 6);
    expect(b.dataSync()[0]).toBeCloseTo(3 - 0.1 * 6, 6);
  });

  it("zeroGrad drops the gradients", () => {
    const p = fromArray([1, -2, 0.5]).requireGrad();
    const opt = new SGD([p], { lr: 0.1 });
    backwardQuadratic(p);
    expect(p.grad).not.toBeNull();
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it("continues identically from its state dict", () => {
    const options = REFERENCE.nesterov!.options;
    const p = fromArray([1, -2, 0.5]).requireGrad();
    const opt = new SGD([p], options);
    backwardQuadratic(p);
    opt.step();
    const saved = opt.stateDict();

    const q = fromArray(p.dataSync()).requireGrad();
    const resumed = new SGD([q], { lr: 1 });
    resumed.loadStateDict(saved);
    expect(resumed.hyperparameters).toEqual({
      lr: 0.1,
      momentum: 0.9,
      dampening: 0,
      weightDecay: 0.1,
      nesterov: true,
    });
    expect(resumed.stepCount).toBe(1);
    for (const [param, o] of [
      [p, opt],
      [q, resumed],
    ] as const) {
      for (let s = 0; s < 2; s++) {
        o.zeroGrad();
        backwardQuadratic(param);
        o.step();
      }
    }
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    expectClose(q.dataSync(), REFERENCE.nesterov!.steps[2]!);
  });

  it("rejects a state dict that does not fit its parameters", () => {
    const opt = new SGD([fromArray([1, 2]).requireGrad()], { lr: 0.1, momentum: 0.9 });
    const hyperparameters = opt.hyperparameters;
    expect(() =>
      opt.loadStateDict({
        hyperparameters,
        stepCount: 1,
        momentumBuffers: [{ shape: [3], data: new Float32Array(3) }],
      }),
    ).toThrow("momentum buffer 0 has shape [3], its parameter has shape [2]");
    expect(() => opt.loadStateDict({ hyperparameters, stepCount: 1, momentumBuffers: [] })).toThrow(
      "0 momentum entries for 1 parameters",
    );
  });

  it("validates hyperparameters with messages naming them", () => {
    const p = [fromArray([1]).requireGrad()];
    expect(() => new SGD(p, { lr: Number.NaN })).toThrow("SGD: lr must be a finite number >= 0, got NaN");
    expect(() => new SGD(p, { lr: -0.1 })).toThrow("SGD: lr must be a finite number >= 0, got -0.1");
    expect(() => new SGD(p, { lr: 0.1, momentum: -1 })).toThrow("momentum must be a finite number >= 0");
    expect(() => new SGD(p, { lr: 0.1, weightDecay: Infinity })).toThrow(
      "weightDecay must be a finite number",
    );
    expect(() => new SGD(p, { lr: 0.1, dampening: 2 })).toThrow(
      "dampening must be a finite number in [0, 1]",
    );
    expect(() => new SGD(p, { lr: 0.1, nesterov: true })).toThrow(
      "SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum 0 and dampening 0",
    );
    expect(() => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(
      "dampening 0.1",
    );
    expect(() => new SGD([], { lr: 0.1 })).toThrow("empty parameter list");
    const opt = new SGD(p, { lr: 0.1 });
    expect(() => {
      opt.lr = -1;
    }).toThrow("lr must be a finite number >= 0, got -1");
    expect(opt.lr).toBe(0.1);
  });
});
