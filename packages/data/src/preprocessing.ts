/**
 * What a model trained on a data set expects of an image, as a checkpoint records it, and applying it
 * to a decoded image: the same channels, the stored size (Resize + CenterCrop) and normalisation.
 */
import type { Channels, DataSplits } from "./dataset.js";
import { type RawImage, fitImage } from "./image-resize.js";
import type { Normalization, NormalizeName } from "./transforms.js";

/** The data layouts the loaders read. */
export type LayoutKind = "fashion-mnist" | "idx" | "image-folder" | "cifar10";

export interface Preprocessing {
  /** Where the training data came from (how to read more of it). */
  layout: LayoutKind;
  classNames: string[];
  channels: Channels;
  /** The stored side length: images are Resize(imageSize) + CenterCrop(imageSize). */
  imageSize: number;
  normalize: NormalizeName;
  /** Null for `normalize: none` (pixels / 255). */
  normalization: Normalization | null;
}

/** Throws unless `value` (e.g. a checkpoint's parsed metadata) is a Preprocessing; `what` names it. */
export function parsePreprocessing(value: unknown, what = "preprocessing"): Preprocessing {
  const v = value as Partial<Preprocessing> | null;
  const fail = (msg: string): never => {
    throw new Error(`${what}: ${msg}`);
  };
  if (!v || typeof v !== "object") return fail("expected an object");
  if (!Array.isArray(v.classNames) || v.classNames.some((n) => typeof n !== "string"))
    fail("classNames must be a list of names");
  if (v.channels !== 1 && v.channels !== 3) fail(`channels ${v.channels}, expected 1 or 3`);
  if (!Number.isInteger(v.imageSize) || (v.imageSize ?? 0) < 1)
    fail(`imageSize ${v.imageSize}, expected an integer >= 1`);
  if (!["none", "dataset", "imagenet"].includes(v.normalize as string))
    fail(`normalize ${JSON.stringify(v.normalize)}, expected none, dataset or imagenet`);
  const n = v.normalization;
  if (n !== null && (!n || n.mean?.length !== v.channels || n.std?.length !== v.channels))
    fail(`normalization must be null or ${v.channels} means and stds`);
  return v as Preprocessing;
}

/** The preprocessing of a model trained on `splits` with `normalization`. */
export function preprocessingOf(
  splits: DataSplits,
  normalize: NormalizeName,
  normalization: Normalization | null,
): Preprocessing {
  return {
    layout: splits.layout ?? "idx",
    classNames: [...splits.classNames],
    channels: splits.channels,
    imageSize: splits.train.rows,
    normalize,
    normalization,
  };
}

/** A decoded image as the model's input: [channels, imageSize, imageSize] float32, normalised. */
export function preprocessImage(img: RawImage, p: Preprocessing): Float32Array {
  const chw = fitImage(img, p.channels, p.imageSize);
  const plane = p.imageSize * p.imageSize;
  const out = new Float32Array(chw.length);
  for (let c = 0; c < p.channels; c++) {
    const mean = p.normalization?.mean[c] ?? 0;
    const std = p.normalization?.std[c] ?? 1;
    for (let i = c * plane; i < (c + 1) * plane; i++) out[i] = (chw[i]! / 255 - mean) / std;
  }
  return out;
}
