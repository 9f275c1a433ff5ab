import { describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_CONFIG,
  PRESETS,
  parseConfig,
  resolveConfig,
  TrainConfigSchema,
} from "../src/index.js";

const messageOf = (input: unknown) => {
  try {
    resolveConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected resolveConfig to throw");
};

describe("training config", () => {
  it("has the documented defaults", () => {
    const c = resolveConfig();
    expect(c).toEqual(DEFAULT_CONFIG);
    expect(c).toMatchObject({
      epochs: 1,
      batchSize: 256,
      lr: 0.05,
      momentum: 0,
      seed: 0,
      init: "xavier",
      resize: null,
      schedule: "constant",
      labelSmoothing: 0,
      warmupEpochs: 0,
      warmupStartFactor: 1 / 3,
      pctStart: 0.3,
      divFactor: 25,
      finalDivFactor: 1e4,
    });
    expect(TrainConfigSchema.parse(c)).toEqual(c);
  });

  it("applies defaults < preset < explicit values", () => {
    expect(resolveConfig({ preset: "d2l" })).toMatchObject({
      preset: "d2l",
      lr: 0.05,
      epochs: 10,
      batchSize: 256,
      resize: 96,
      momentum: 0,
      init: "xavier",
      seed: 0,
    });
    const c = resolveConfig({ preset: "d2l", epochs: 2, resize: null, lr: undefined });
    expect(c).toMatchObject({ epochs: 2, resize: null, lr: 0.05, batchSize: 256 });
    const quick = resolveConfig({ preset: "quick", batchSize: 32 });
    expect(quick).toMatchObject({ ...PRESETS.quick, batchSize: 32 });
    const fast = resolveConfig({ preset: "fast", labelSmoothing: 0 });
    expect(fast).toMatchObject({ ...PRESETS.fast, labelSmoothing: 0 });
    expect(resolveConfig({ preset: "fast" })).toMatchObject({
      schedule: "onecycle",
      nesterov: true,
      labelSmoothing: 0.1,
      tta: "flip",
    });
  });

  it("names the field, the problem and the value", () => {
    expect(messageOf({ lr: -1 })).toBe("Invalid training config: lr: must be greater than 0 (got -1)");
    expect(messageOf({ batchSize: 0 })).toBe(
      "Invalid training config: batchSize: must be an integer between 1 and 4096 (got 0)",
    );
    expect(messageOf({ batchSize: 2.5 })).toContain(
      "batchSize: must be an integer between 1 and 4096 (got 2.5)",
    );
    expect(messageOf({ epochs: "3" })).toBe('Invalid training config: epochs: must be a number (got "3")');
    expect(messageOf({ lr: Number.NaN })).toContain("lr: must be a number");
    expect(messageOf({ momentum: 1.5 })).toContain("momentum: must be between 0 and 1 (got 1.5)");
    expect(messageOf({ preset: "slow" })).toContain('preset: must be one of quick, d2l, fast (got "slow")');
    expect(messageOf({ init: "he" })).toContain("init: must be xavier or default");
    expect(messageOf({ schedule: "linear" })).toContain(
      'schedule: must be one of constant, step, cosine, onecycle (got "linear")',
    );
    expect(messageOf({ labelSmoothing: 1.2 })).toContain("labelSmoothing: must be between 0 and 1 (got 1.2)");
    expect(messageOf({ labelSmoothing: -0.1 })).toContain("labelSmoothing: must be between 0 and 1");
    expect(messageOf({ warmupEpochs: -1 })).toContain("warmupEpochs: must be between 0 and 1000 (got -1)");
    expect(messageOf({ warmupStartFactor: 0 })).toContain(
      "warmupStartFactor: must be greater than 0 and at most 1 (got 0)",
    );
    expect(messageOf({ pctStart: 1.5 })).toContain("pctStart: must be between 0 and 1 (got 1.5)");
    expect(messageOf({ divFactor: 0 })).toContain("divFactor: must be greater than 0 (got 0)");
    expect(messageOf({ finalDivFactor: -3 })).toContain("finalDivFactor: must be greater than 0 (got -3)");
    expect(messageOf({ gamma: 0 })).toContain("gamma: must be greater than 0 and at most 1 (got 0)");
    expect(messageOf({ stepSize: 0 })).toContain("stepSize: must be an integer between 1 and 1000 (got 0)");
    expect(messageOf({ dampening: 2 })).toContain("dampening: must be between 0 and 1 (got 2)");
    expect(messageOf({ resize: 4 })).toContain("resize: must be an integer between 8 and 512 (got 4)");
    expect(messageOf({ learningRate: 0.1 })).toBe("Invalid training config: learningRate: unknown setting");
    expect(messageOf({ lr: 0, epochs: 0 })).toBe(
      "Invalid training config: epochs: must be an integer between 1 and 1000 (got 0); lr: must be greater than 0 (got 0)",
    );
    expect(messageOf("fast")).toBe("Invalid training config: config: must be an object of settings");
  });

  it("checks settings that depend on each other", () => {
    expect(messageOf({ nesterov: true })).toBe(
      "Invalid training config: nesterov: needs momentum > 0 and dampening 0 (momentum is 0, dampening 0) (got true)",
    );
    expect(resolveConfig({ nesterov: true, momentum: 0.9 }).nesterov).toBe(true);
    expect(messageOf({ schedule: "cosine", etaMin: 1 })).toContain("etaMin: must not exceed lr (0.05)");
    expect(messageOf({ epochs: 2, warmupEpochs: 2.5 })).toContain("warmupEpochs: must not exceed epochs (2)");
    expect(resolveConfig({ epochs: 2, warmupEpochs: 0.5 }).warmupEpochs).toBe(0.5);
    expect(messageOf({ epochs: 4, schedule: "onecycle", warmupEpochs: 1 })).toContain(
      "warmupEpochs: must be 0 with the onecycle schedule",
    );
  });

  it("parseConfig validates a complete stored configuration", () => {
    expect(parseConfig({ ...DEFAULT_CONFIG, steps: 5 }).steps).toBe(5);
    const { backend: _, ...incomplete } = DEFAULT_CONFIG;
    expect(() => parseConfig(incomplete)).toThrow("backend: must be a backend name");
  });

  it("reads the old name `block` as `arrangement` (configs and JSON written before the rename)", () => {
    expect(resolveConfig({ block: "relu-preact" }).arrangement).toBe("relu-preact");
    expect(JSON.parse(JSON.stringify(resolveConfig({ block: "relu-preact" })))).not.toHaveProperty("block");
    expect(resolveConfig({ block: undefined, arrangement: "bn-after-add" }).arrangement).toBe("bn-after-add");
    const { arrangement: _, ...rest } = DEFAULT_CONFIG;
    expect(parseConfig({ ...rest, block: "full-preact" })).toEqual({
      ...DEFAULT_CONFIG,
      arrangement: "full-preact",
    });
    expect(messageOf({ block: "sideways" })).toContain("arrangement: must be one of original, bn-after-add");
    // Both names: the old one is an unknown setting, not silently dropped.
    expect(messageOf({ block: "original", arrangement: "full-preact" })).toContain("block: unknown setting");
    expect(() => parseConfig({ ...DEFAULT_CONFIG, block: "original" })).toThrow("block: unknown setting");
  });

  it("describes every field for --help and forms", () => {
    for (const [name, field] of Object.entries(TrainConfigSchema.shape)) {
      expect(field.description, name).toBeTruthy();
    }
  });
});
