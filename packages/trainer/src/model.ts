/** The model a configuration trains: d2l's ResNet-18 with the config's init scheme and seed. */
import { type Module, resnet18 } from "@resnet-ts/layers";
import type { TrainConfig } from "./config.js";

export function createModel(
  config: Pick<TrainConfig, "init" | "seed">,
  { inChannels = 1, numClasses = 10 }: { inChannels?: number; numClasses?: number } = {},
): Module {
  return resnet18({ inChannels, numClasses, init: config.init, seed: config.seed });
}
