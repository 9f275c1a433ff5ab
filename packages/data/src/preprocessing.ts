/**
 * What a model trained on a data set expects of an image, as a checkpoint records it, and applying it
 * to a decoded image: the same channels, the stored size (Resize + CenterCrop) and normalisation.
 */
import { z } from "zod";
import type { DataSplits } from "./dataset.js";
import { type RawImage, fitImage } from "./image-resize.js";
import { NORMALIZE_NAMES, type Normalization, type NormalizeName } from "./transforms.js";

export const LAYOUT_KINDS = ["fashion-mnist", "idx", "image-folder", "cifar10"] as const;

/** The data layouts the loaders read. */
export type LayoutKind = (typeof LAYOUT_KINDS)[number];

/** A checkpoint's `preprocessing` metadata, parsed. */
export const PreprocessingSchema = z
  .object({
    /** Where the training data came from (how to read more of it). */
    layout: z.enum(LAYOUT_KINDS),
    classNames: z.array(z.string(), { error: "must be a list of names" }),
    channels: z.union([z.literal(1), z.literal(3)], { error: (i) => `${String(i.input)}, expected 1 or 3` }),
    /** The stored side length: images are Resize(imageSize) + CenterCrop(imageSize). */
    imageSize: z.number().int().min(1),
    normalize: z.enum(NORMALIZE_NAMES),
    /** Null for `normalize: none` (pixels / 255). */
    normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
    /** Class folders split by a seeded, stratified draw: the fraction held out (absent otherwise). */
    valFraction: z.number().min(0).lt(1).optional(),
  })
  .superRefine((p, ctx) => {
    const n = p.normalization;
    if (n !== null && (n.mean.length !== p.channels || n.std.length !== p.channels))
      ctx.addIssue({
        code: "custom",
        path: ["normalization"],
        message: `must be null or ${p.channels} means and stds`,
      });
  });

export type Preprocessing = z.infer<typeof PreprocessingSchema>;

/** Throws unless `value` (e.g. a checkpoint's parsed metadata) is a Preprocessing; `what` names it. */
export function parsePreprocessing(value: unknown, what = "preprocessing"): Preprocessing {
  const result = PreprocessingSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) =>
    i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message,
  );
  throw new Error(`${what}: ${issues.join("; ")}`);
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
