/**
 * The model a configuration trains: d2l's ResNet-18 ([2,2,2,2] basic blocks) in the configured block
 * arrangement (original: exactly d2l's net), with or without shortcuts, init scheme and seed.
 */
import { type Module, resnet } from "@resnet-ts/layers";
import type { TrainConfig } from "./config.js";

export function createModel(
  config: Pick<TrainConfig, "init" | "seed" | "block" | "plain">,
  { inChannels = 1, numClasses = 10 }: { inChannels?: number; numClasses?: number } = {},
): Module {
  return resnet({
    inChannels,
    numClasses,
    init: config.init,
    seed: config.seed,
    arrangement: config.block,
    plain: config.plain,
  });
}
