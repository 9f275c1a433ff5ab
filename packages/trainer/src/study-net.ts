/** The net of one study run, as `resnet-ts compare` and the web app's comparison build it. */
import {
  cifarResnet,
  networkDepth,
  RESNET_DEPTHS,
  resnet,
  type Sequential,
  type VariantSpec,
} from "@resnet-ts/layers";
import type { StudyDepth } from "./study.js";

/** Weighted layers on the main path of `spec` at `depth` (CIFAR family: one n per width). */
export function studyNetLayers(spec: VariantSpec, depth: StudyDepth, widths: readonly number[]): number {
  return typeof depth === "number"
    ? networkDepth(
        spec.block,
        widths.map(() => depth),
      )
    : networkDepth(spec.block, RESNET_DEPTHS[depth]);
}

/** `spec` at `depth`: a torchvision-style preset, or the CIFAR family's n (6n+2 layers) at `widths`. */
export function studyNet(
  spec: VariantSpec,
  depth: StudyDepth,
  widths: readonly number[],
  seed: number,
): { model: Sequential; layers: number } {
  const model =
    typeof depth === "number"
      ? cifarResnet({ ...spec, n: depth, widths: [...widths], seed })
      : resnet({ ...spec, depths: RESNET_DEPTHS[depth], seed });
  return { model, layers: studyNetLayers(spec, depth, widths) };
}
