// `width`: d2l's ResNet-18 with its stage widths scaled (the fast preset's net), built from the config, refused
// where it does not apply, and rebuilt from a checkpoint's config.
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  CheckpointFitError,
  createModel,
  DEFAULT_CONFIG,
  decodeCheckpoint,
  encodeCheckpoint,
  modelFromCheckpoint,
  resolveConfig,
} from "../src/index.js";

const half = { ...DEFAULT_CONFIG, width: 0.5 };

describe("the width of d2l's ResNet-18", () => {
  it("scales every stage: 32/64/128/256 channels at 0.5, the head on 256 features", () => {
    const model = createModel(half);
    const dict = model.stateDict();
    expect(dict["0.0.weight"]!.shape).toEqual([32, 1, 7, 7]);
    expect(dict["1.0.conv1.weight"]!.shape).toEqual([32, 32, 3, 3]);
    expect(dict["4.1.conv2.weight"]!.shape).toEqual([256, 256, 3, 3]);
    expect(dict["7.weight"]!.shape).toEqual([10, 256]);
    expect(Object.keys(dict)).toEqual(Object.keys(createModel(DEFAULT_CONFIG).stateDict()));
    // Convolutions and the head hold about a quarter of the full net's 11,178,378 parameters.
    expect(model.numParameters()).toBe(2_799_818);
  });

  it("is refused, naming the field, off the 1/64 grid or for torchvision's models", () => {
    expect(() => resolveConfig({ width: 0.3 })).toThrow(ConfigError);
    expect(() => resolveConfig({ width: 0.3 })).toThrow(/width: must be a multiple of 1\/64/);
    expect(() => resolveConfig({ width: 0 })).toThrow(/width/);
    expect(() => resolveConfig({ model: "resnet18", width: 0.5 })).toThrow(
      /width: applies to d2l-resnet18 only \(the model is resnet18/,
    );
    expect(resolveConfig({ width: 0.75 }).width).toBe(0.75);
  });

  it("comes back from a checkpoint's config; a checkpoint without one is d2l's full width", async () => {
    const model = createModel(half);
    const checkpoint = decodeCheckpoint((await encodeCheckpoint(model, { config: half })).weights);
    const rebuilt = modelFromCheckpoint(checkpoint);
    expect(rebuilt.stateDict()["0.0.weight"]!.data).toEqual(model.stateDict()["0.0.weight"]!.data);
    const bare = decodeCheckpoint((await encodeCheckpoint(model, {})).weights);
    expect(() => modelFromCheckpoint(bare)).toThrow(CheckpointFitError);
  });
});
