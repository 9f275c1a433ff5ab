/**
 * The augmentation and normalisation a run gets when the user leaves them to the data, shared by
 * `resnet-ts train` and the web app's "auto" choices.
 */
import type { AugmentName, LayoutKind, NormalizeName } from "@resnet-ts/data";

/** Photos up to this stored side get RandomCrop with padding (the usual choice for small images), larger ones RandomResizedCrop. */
export const CROP_MAX_SIDE = 64;

/**
 * For photos (class folders, CIFAR-10): `crop` up to CROP_MAX_SIDE px, `resized-crop` above, and the
 * training split's mean/std (`dataset`); for Fashion-MNIST and IDX files (`layout` undefined: IDX) none
 * of either, as the config's defaults. `side` is the stored image side.
 */
export function dataDefaults(
  layout: LayoutKind | undefined,
  side: number,
): { augment: AugmentName; normalize: NormalizeName } {
  if (layout !== "image-folder" && layout !== "cifar10") return { augment: "none", normalize: "none" };
  return { augment: side <= CROP_MAX_SIDE ? "crop" : "resized-crop", normalize: "dataset" };
}
