import { describe, expect, it } from "vitest";
import { cosineLr, learningRate, stepLr } from "../src/index.js";

describe("learning-rate schedules", () => {
  it("step matches torch StepLR(step_size=3, gamma=0.5) stepped per epoch", () => {
    // torch: [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]
    const lrs = Array.from({ length: 8 }, (_, epoch) => stepLr(0.1, epoch, 3, 0.5));
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
  });

  it("cosine matches torch CosineAnnealingLR(T_max=10, eta_min=0.001) stepped per step", () => {
    const torch = [
      0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505,
      0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001,
    ];
    torch.forEach((lr, step) => {
      expect(cosineLr(0.1, step, 10, 0.001)).toBeCloseTo(lr, 12);
    });
  });

  it("learningRate picks the schedule and its unit (epochs for step, optimizer steps for cosine)", () => {
    const at = { epoch: 4, step: 5, totalSteps: 10 };
    expect(learningRate({ schedule: "constant", lr: 0.05 }, at)).toBe(0.05);
    expect(learningRate({ schedule: "step", lr: 0.1, stepSize: 2, gamma: 0.5 }, at)).toBeCloseTo(0.025, 15);
    expect(learningRate({ schedule: "cosine", lr: 0.1, etaMin: 0 }, at)).toBeCloseTo(0.05, 15);
  });

  it("rejects bad arguments", () => {
    expect(() => stepLr(0.1, 0, 0, 0.1)).toThrow("stepLr: stepSize must be an integer >= 1 (epochs), got 0");
    expect(() => cosineLr(0.1, 0, 0, 0)).toThrow("cosineLr: totalSteps must be an integer >= 1, got 0");
  });
});
