// The model a checkpoint holds (modelFromCheckpoint, shared by the CLI's eval/predict and the web upload):
// the architecture its config names, built for its channels and classes, and the one-line refusals.
import { type Module, TorchvisionResNet } from "@resnet-ts/layers";
import { describe, expect, it } from "vitest";
import {
  CheckpointFitError,
  checkpointShape,
  createModel,
  DEFAULT_CONFIG,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  encodeSafetensors,
  modelFromCheckpoint,
} from "../src/index.js";

const torchvision18 = new TorchvisionResNet("resnet18", { numClasses: 3, inChannels: 3, seed: 4 });
const config = { ...DEFAULT_CONFIG, model: "resnet18" as const };
const roundTrip = async (options: Parameters<typeof encodeCheckpoint>[1]) =>
  decodeCheckpoint((await encodeCheckpoint(torchvision18, options)).weights);
const conv1 = (m: Module) => Array.from(m.stateDict()["conv1.weight"]!.data as Float32Array);

describe("modelFromCheckpoint", () => {
  it("builds the model the config names for the weights' channels and classes, with those weights", async () => {
    const checkpoint = await roundTrip({ config });
    expect(checkpointShape(checkpoint.stateDict)).toEqual({ inChannels: 3, classes: 3 });
    const model = modelFromCheckpoint(checkpoint);
    expect(model).toBeInstanceOf(TorchvisionResNet);
    expect(model.stateDict()["fc.weight"]!.shape).toEqual([3, 512]);
    expect(conv1(model)).toEqual(conv1(torchvision18));
  });

  it("a head for other classes than the data's is named by its key and both shapes", async () => {
    const checkpoint = await roundTrip({ config });
    expect(() => modelFromCheckpoint(checkpoint, { classes: 5 })).toThrow(
      new CheckpointFitError(
        "has a 3-class head (fc.weight [3,512]), the data has 5 classes (expected fc.weight [5,512])",
      ),
    );
  });

  it("torchvision weights under a d2l config: counts, a few keys, and which model they are", async () => {
    const checkpoint = await roundTrip({ config: DEFAULT_CONFIG });
    expect(() => modelFromCheckpoint(checkpoint)).toThrow(
      /^does not fit the d2l ResNet-18 \(3 channel\(s\), 3 classes\): missing keys \(127 of 127\): 0\.0\.weight, .*, \.\.\.; unexpected keys \(122\): conv1\.weight, bn1\.weight, .*; they are resnet18's weights: fine-tune from them as pretrained weights$/,
    );
  });

  it("a tensor of the wrong shape is named with both shapes", async () => {
    const d2l = createModel({ ...DEFAULT_CONFIG, arrangement: "full-preact" });
    const checkpoint = decodeCheckpoint((await encodeCheckpoint(d2l, { config: DEFAULT_CONFIG })).weights);
    expect(() => modelFromCheckpoint(checkpoint)).toThrow(/^does not fit the d2l ResNet-18 \(1 channel/);
    const preact = decodeCheckpoint(
      (await encodeCheckpoint(d2l, { config: { ...DEFAULT_CONFIG, arrangement: "full-preact" } })).weights,
    );
    const wide = { ...preact, stateDict: { ...preact.stateDict } };
    const w = wide.stateDict["0.0.weight"]!;
    wide.stateDict["0.0.weight"] = { ...w, shape: [w.shape[0]!, 1, 1, w.shape[2]! * w.shape[3]!] };
    expect(() => modelFromCheckpoint(wide)).toThrow(
      /^does not fit the d2l ResNet-18 in the full-preact arrangement \(1 channel\(s\), 10 classes\): mismatched shapes or dtypes \(1\): 0\.0\.weight \(found float32 \[64,1,1,49\], expected float32 \[64,1,7,7\]\)$/,
    );
    expect(modelFromCheckpoint(preact).stateDict()["0.0.weight"]!.shape).toEqual([64, 1, 7, 7]);
  });

  it("loads a checkpoint written before `block` was renamed `arrangement` in the arrangement it names", async () => {
    const d2l = createModel({ ...DEFAULT_CONFIG, arrangement: "full-preact" });
    const file = decodeSafetensors((await encodeCheckpoint(d2l, { config: DEFAULT_CONFIG })).weights);
    // The config as it was stored then: `block` for the arrangement, and no `width` (added later).
    const { arrangement: _, width: __, ...kept } = DEFAULT_CONFIG;
    const old = { ...kept, block: "full-preact" };
    const checkpoint = decodeCheckpoint(
      encodeSafetensors(file.tensors, { ...file.metadata, config: JSON.stringify(old) }),
    );
    expect(checkpoint.info.config).toMatchObject({ arrangement: "full-preact", width: 1 });
    expect(checkpoint.info.config).not.toHaveProperty("block");
    expect(modelFromCheckpoint(checkpoint).stateDict()["8.weight"]!.shape).toEqual([10, 512]);
  });
});
