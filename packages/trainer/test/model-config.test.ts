import { TorchvisionResNet } from "@resnet-ts/layers";
import { describe, expect, it } from "vitest";
import { ConfigError, createModel, resolveConfig } from "../src/index.js";

const messageOf = (input: unknown) => {
  try {
    resolveConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected resolveConfig to throw");
};

describe("model and fine-tuning settings", () => {
  it("defaults to d2l's ResNet-18 with nothing frozen", () => {
    expect(resolveConfig()).toMatchObject({
      model: "d2l-resnet18",
      freeze: "none",
      freezeBn: false,
      headLrMult: 1,
    });
  });

  it("names bad values and settings that do not apply to the model", () => {
    expect(messageOf({ model: "resnet101" })).toMatch(
      /model: must be one of d2l-resnet18, resnet18, resnet34, resnet50/,
    );
    expect(messageOf({ freeze: "layers:5" })).toMatch(/freeze: must be none, backbone, stem or layers:N/);
    expect(messageOf({ headLrMult: 0 })).toMatch(/headLrMult: must be greater than 0/);
    expect(messageOf({ model: "resnet18", arrangement: "full-preact" })).toMatch(
      /arrangement: applies to d2l-resnet18 only \(the model is resnet18, torchvision's net: the original arrangement, with shortcuts\)/,
    );
    expect(messageOf({ smallStem: true })).toMatch(/smallStem: applies to the torchvision models/);
  });

  it("createModel builds the configured architecture for the data's channels and classes", () => {
    const tv = createModel(resolveConfig({ model: "resnet18", smallStem: true }), {
      inChannels: 3,
      numClasses: 5,
    });
    expect(tv).toBeInstanceOf(TorchvisionResNet);
    expect(tv.stateDict()["conv1.weight"]!.shape).toEqual([64, 3, 3, 3]);
    expect(tv.stateDict()["fc.weight"]!.shape).toEqual([5, 512]);
    const d2l = createModel(resolveConfig(), { inChannels: 3, numClasses: 4 });
    expect(d2l.stateDict()["0.0.weight"]!.shape).toEqual([64, 3, 7, 7]);
    expect(d2l.stateDict()["7.weight"]!.shape).toEqual([4, 512]);
  });
});
