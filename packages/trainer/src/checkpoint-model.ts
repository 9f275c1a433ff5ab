/**
 * The model a checkpoint holds, built and loaded: shared by the CLI (`eval`, `predict`, `train --init`) and
 * the web app's checkpoint upload, each adding only its own wording (a flag, a file name) in front of the
 * messages here, which read on from a file name ("x.safetensors has a 20-class head ...").
 */
import { type Module, type StateDict, StateDictError } from "@resnet-ts/layers";
import type { Checkpoint } from "./checkpoint.js";
import { DEFAULT_CONFIG } from "./config.js";
import { createModel, type ModelConfig } from "./model.js";
import { matchKnownModel } from "./pretrained.js";

/** A checkpoint whose weights do not fit the model; the message reads on from the file's name. */
export class CheckpointFitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointFitError";
  }
}

/** The input channels and classes of a state dict's model (d2l's net or torchvision's; 1 and 10 when unknown). */
export function checkpointShape(stateDict: StateDict): { inChannels: number; classes: number } {
  // The classifier: "7.weight" in d2l's net, "8.weight" with pre-activation blocks, "fc.weight" in torchvision's.
  const classes = (stateDict["7.weight"] ?? stateDict["8.weight"] ?? stateDict["fc.weight"])?.shape[0] ?? 10;
  const inChannels = (stateDict["0.0.weight"] ?? stateDict["conv1.weight"])?.shape[1] ?? 1;
  return { inChannels, classes };
}

/**
 * Throws (CheckpointFitError) when `dict`'s classifier has as many inputs as `model`'s but another number of rows than `classes`:
 * a checkpoint for other classes, named by the key and both shapes.
 */
export function checkHead(model: Module, dict: StateDict, classes: number): void {
  const expected = model.stateSpec();
  const head = Object.keys(expected).findLast(
    (k) => k.endsWith(".weight") && expected[k]!.shape.length === 2,
  );
  const found = head === undefined ? undefined : dict[head];
  const want = head === undefined ? undefined : expected[head];
  if (
    head &&
    want &&
    found?.shape.length === 2 &&
    found.shape[1] === want.shape[1] &&
    found.shape[0] !== classes
  ) {
    throw new CheckpointFitError(
      `has a ${found.shape[0]}-class head (${head} [${found.shape}]), ` +
        `the data has ${classes} classes (expected ${head} [${want.shape}])`,
    );
  }
}

/** The network a config names, for messages: "the d2l ResNet-18 in the plain bn-after-add arrangement", "torchvision's resnet34". */
export function modelDescription(config: ModelConfig): string {
  const model = config.model ?? "d2l-resnet18";
  if (model !== "d2l-resnet18") return `torchvision's ${model}`;
  const variant =
    config.arrangement === "original" && !config.plain
      ? ""
      : ` in the ${config.plain ? "plain " : ""}${config.arrangement} arrangement`;
  const width = (config.width ?? 1) === 1 ? "" : ` at width ${config.width}`;
  return `the d2l ResNet-18${width}${variant}`;
}

/**
 * Builds the architecture `checkpoint`'s config names (d2l's ResNet-18 when it has none) for `inChannels`
 * and `classes` (by default those of the weights' first convolution and head) and loads the weights
 * strictly. Throws a one-line CheckpointFitError (see the header) and loads nothing when they do not fit.
 */
export function modelFromCheckpoint(
  checkpoint: Pick<Checkpoint, "stateDict" | "info">,
  options: { inChannels?: number; classes?: number } = {},
): Module {
  const { stateDict, info } = checkpoint;
  const config = info.config ?? DEFAULT_CONFIG;
  const shape = checkpointShape(stateDict);
  const inChannels = options.inChannels ?? shape.inChannels;
  const classes = options.classes ?? shape.classes;
  const model = createModel(config, { inChannels, numClasses: classes });
  checkHead(model, stateDict, classes);
  const fits = `does not fit ${modelDescription(config)} (${inChannels} channel(s), ${classes} classes)`;
  try {
    model.loadStateDict(stateDict);
  } catch (error) {
    if (!(error instanceof StateDictError)) throw error;
    // A torchvision net's own state dict (no config) is for fine-tuning, not for continuing.
    const known = error.keysDiffer ? matchKnownModel(Object.keys(stateDict)) : null;
    const hint =
      known && known !== (config.model ?? "d2l-resnet18")
        ? `; they are ${known}'s weights: fine-tune from them as pretrained weights`
        : "";
    throw new CheckpointFitError(`${fits}: ${error.detail}${hint}`);
  }
  return model;
}
