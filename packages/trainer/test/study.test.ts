import { describe, expect, it } from "vitest";
import {
  plannedRuns,
  runKey,
  STUDY_PRESETS,
  type StudyRun,
  settingsMismatch,
  spread,
  summarize,
} from "../src/index.js";

const run = (variant: string, seed: number, over: Partial<StudyRun> = {}): StudyRun => ({
  variant,
  depthSpec: 3,
  seed,
  layers: 20,
  parameters: 100,
  losses: [2, 1.5, 1],
  finalLoss: 1,
  testAccuracy: 0.8,
  stages: ["0", "1", "2"],
  gradNorms: [1, 2, 3],
  lowerGradNorm: 2,
  imagesPerSecond: 10,
  ...over,
});

describe("study plan", () => {
  it("lists every variant x depth x seed once, seed-major, with distinct keys", () => {
    const runs = plannedRuns({ variants: ["original", "plain"], depths: [3, 9], seeds: [0, 1] });
    expect(runs.map((r) => r.key)).toEqual([
      "original_d3_s0",
      "plain_d3_s0",
      "original_d9_s0",
      "plain_d9_s0",
      "original_d3_s1",
      "plain_d3_s1",
      "original_d9_s1",
      "plain_d9_s1",
    ]);
    expect(runKey("plain-full-preact", "resnet18", 2)).toBe("plain-full-preact_dresnet18_s2");
  });

  it("names each training setting that differs from an output folder's", () => {
    const a = STUDY_PRESETS.depth;
    expect(settingsMismatch(a, { ...a })).toBeNull();
    expect(settingsMismatch(a, { ...a, steps: 7, widths: [4, 8, 8] })).toBe(
      `--steps ${a.steps} there, 7 now; --widths 16,32,64 there, 4,8,8 now`,
    );
    expect(settingsMismatch(a, { ...a, resize: 14 })).toBe("--resize none there, 14 now");
    // The two presets train alike, so their shared runs can be reused.
    expect(settingsMismatch(STUDY_PRESETS.depth, STUDY_PRESETS.arrangements)).toBeNull();
  });
});

describe("summarize", () => {
  it("computes mean, sample sd and range", () => {
    const s = spread([1, 2, 4]);
    expect(s.mean).toBeCloseTo(7 / 3, 12);
    expect(s.sd).toBeCloseTo(Math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 2), 12);
    expect([s.min, s.max, s.n]).toEqual([1, 4, 3]);
    expect(spread([5]).sd).toBe(0);
    expect(() => spread([])).toThrow(/no values/);
  });

  it("groups by variant and depth over seeds, in order of first appearance", () => {
    const runs = [
      run("original", 0, { finalLoss: 0.5, testAccuracy: 0.9, gradNorms: [1, 2, 3], losses: [3, 2, 1] }),
      run("plain", 0, { finalLoss: 1.5 }),
      run("original", 1, { finalLoss: 0.7, testAccuracy: 0.8, gradNorms: [3, 4, 5], losses: [5, 4] }),
      run("original", 0, { depthSpec: 9, layers: 56 }),
    ];
    const [orig, plain, deep, ...rest] = summarize(runs);
    expect(rest).toHaveLength(0);
    expect(orig!.seeds).toEqual([0, 1]);
    expect(orig!.finalLoss.mean).toBeCloseTo(0.6, 12);
    expect(orig!.testError.mean).toBeCloseTo(0.15, 12);
    expect(orig!.testError.min).toBeCloseTo(0.1, 12);
    expect(orig!.gradNorms.map((g) => g.mean)).toEqual([2, 3, 4]);
    expect(orig!.meanLosses).toEqual([4, 3]); // the shorter run fixes the length
    expect(plain!.seeds).toEqual([0]);
    expect(plain!.finalLoss.sd).toBe(0);
    expect([deep!.variant, deep!.layers]).toEqual(["original", 56]);
  });

  it("refuses to average runs whose stages differ", () => {
    expect(() => summarize([run("original", 0), run("original", 1, { stages: ["0", "1"] })])).toThrow(
      /seed 1 has stages 0,1, seed 0 has 0,1,2/,
    );
  });
});
