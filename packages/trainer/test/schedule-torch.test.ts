// The schedules' learning-rate sequences against torch.optim.lr_scheduler (torch_schedules.py).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { learningRate, type ScheduleOptions } from "../src/index.js";
import { hasTorch, runPython } from "./python.js";

const script = fileURLToPath(new URL("./torch_schedules.py", import.meta.url));
const SCRIPT = `import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")`;

interface Case {
  name: string;
  options: ScheduleOptions;
  totalSteps: number;
  stepsPerEpoch: number;
  /** What torch_schedules.py needs beyond the options. */
  torch: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: "onecycle, PyTorch's defaults, 10 steps",
    options: { schedule: "onecycle", lr: 0.1 },
    totalSteps: 10,
    stepsPerEpoch: 5,
    torch: { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 },
  },
  {
    name: "onecycle, pct_start 0.25, div 10, final div 100, 37 steps (fractional phase end)",
    options: { schedule: "onecycle", lr: 0.2, pctStart: 0.25, divFactor: 10, finalDivFactor: 100 },
    totalSteps: 37,
    stepsPerEpoch: 9,
    torch: {},
  },
  {
    name: "1.5 epochs of warm-up (start factor 0.25), then cosine to 0.001",
    options: { schedule: "cosine", lr: 0.1, etaMin: 0.001, warmupEpochs: 1.5, warmupStartFactor: 0.25 },
    totalSteps: 24,
    stepsPerEpoch: 4,
    torch: { warmupSteps: 6 },
  },
  {
    name: "2 epochs of warm-up (start factor 1/3), then StepLR(step_size=2 epochs, gamma 0.5)",
    options: { schedule: "step", lr: 0.1, stepSize: 2, gamma: 0.5, warmupEpochs: 2 },
    totalSteps: 30,
    stepsPerEpoch: 3,
    torch: { warmupSteps: 6, warmupStartFactor: 1 / 3, stepSteps: 6 },
  },
  {
    name: "1 epoch of warm-up (start factor 0.1), then constant",
    options: { schedule: "constant", lr: 0.05, warmupEpochs: 1, warmupStartFactor: 0.1 },
    totalSteps: 12,
    stepsPerEpoch: 5,
    torch: { warmupSteps: 5 },
  },
];

describe.skipIf(!hasTorch())("schedules match torch.optim.lr_scheduler (needs python3-torch)", () => {
  const expected = JSON.parse(
    new TextDecoder().decode(
      runPython(SCRIPT, [
        script,
        JSON.stringify(
          cases.map((c) => ({
            kind: "lrs",
            ...c.options,
            etaMin: c.options.etaMin ?? 0,
            pctStart: c.options.pctStart ?? 0.3,
            divFactor: c.options.divFactor ?? 25,
            finalDivFactor: c.options.finalDivFactor ?? 1e4,
            gamma: c.options.gamma ?? 0.1,
            warmupStartFactor: c.options.warmupStartFactor ?? 1 / 3,
            totalSteps: c.totalSteps,
            ...c.torch,
          })),
        ),
      ]),
    ),
  ) as number[][];

  cases.forEach((c, i) => {
    it(c.name, () => {
      const ours = Array.from({ length: c.totalSteps }, (_, step) =>
        learningRate(c.options, {
          epoch: Math.floor(step / c.stepsPerEpoch),
          step,
          totalSteps: c.totalSteps,
          stepsPerEpoch: c.stepsPerEpoch,
        }),
      );
      const theirs = expected[i]!;
      expect(ours.length).toBe(theirs.length);
      ours.forEach((lr, step) => {
        expect(Math.abs(lr - theirs[step]!), `step ${step}: ours ${lr}, torch ${theirs[step]}`).toBeLessThan(
          1e-12 + 1e-9 * Math.abs(theirs[step]!),
        );
      });
    });
  });
});
