/**
 * The model a configuration trains, built for the data's shape (`inChannels`, `numClasses`):
 * - `d2l-resnet18` (the default): d2l's ResNet-18 ([2,2,2,2] basic blocks) in the configured residual
 *   arrangement (original: exactly d2l's net), with or without shortcuts, init scheme and seed, its stage
 *   widths 64/128/256/512 scaled by `width` (1: d2l's);
 * - `resnet18`, `resnet34`, `resnet50`: torchvision's nets with torchvision's keys (layers' torchvision.ts).
 */
import { type Module, resnet, TorchvisionResNet } from "@resnet-ts/layers";
import type { TrainConfig } from "./config.js";

export type ModelConfig = Pick<TrainConfig, "init" | "seed" | "arrangement" | "plain"> &
  Partial<Pick<TrainConfig, "model" | "zeroInitResidual" | "smallStem" | "width">>;

/** d2l's ResNet-18 stage widths. */
const D2L_WIDTHS = [64, 128, 256, 512];

export function createModel(
  config: ModelConfig,
  { inChannels = 1, numClasses = 10 }: { inChannels?: number; numClasses?: number } = {},
): Module {
  const model = config.model ?? "d2l-resnet18";
  if (model !== "d2l-resnet18") {
    return new TorchvisionResNet(model, {
      inChannels,
      numClasses,
      seed: config.seed,
      zeroInitResidual: config.zeroInitResidual ?? false,
      smallStem: config.smallStem ?? false,
    });
  }
  return resnet({
    inChannels,
    numClasses,
    init: config.init,
    seed: config.seed,
    arrangement: config.arrangement,
    plain: config.plain,
    widths: D2L_WIDTHS.map((w) => w * (config.width ?? 1)),
  });
}
