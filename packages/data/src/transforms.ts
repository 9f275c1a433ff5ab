/**
 * Seeded training transforms with torchvision's semantics, applied to the stored images (already at
 * their fixed size, see image-resize.ts), and normalisation. Browser-safe, pure functions over uint8
 * CHW images, so that the same code builds batches on the training thread, in Node worker threads and
 * in browser workers.
 *
 * Where these differ from torchvision:
 * - the random numbers come from the project's seeded `Rng` (per batch, see batchSeed), not from
 *   torch's generator, so the same seed gives different crops than torchvision would;
 * - `RandomResizedCrop` crops the stored image (already `Resize(S)` + `CenterCrop(S)` of the file), not
 *   the original file: its crops cover at most the centre square of a non-square photo;
 * - the crop is resampled with Pillow's bilinear filter on uint8 pixels (as torchvision on PIL images),
 *   so values round to 1/255 before normalisation.
 */
import { Rng } from "@resnet-ts/tensor";
import { type Channels, type Dataset, imageBytes } from "./dataset.js";
import { resizeBilinearPil, roundHalfEven } from "./image-resize.js";

/**
 * Training augmentation: `none`; `flip` (RandomHorizontalFlip(0.5)); `crop` (RandomCrop(S, padding=S/8
 * rounded, zero fill) + flip, the usual choice for small images such as CIFAR-10); `resized-crop`
 * (RandomResizedCrop(S, scale=(0.08, 1), ratio=(3/4, 4/3)) + flip, the ImageNet recipe).
 */
export const AUGMENT_NAMES = ["none", "flip", "crop", "resized-crop"] as const;
export type AugmentName = (typeof AUGMENT_NAMES)[number];

/** `none` (pixels / 255), `dataset` (mean/std per channel over the training split) or `imagenet`. */
export const NORMALIZE_NAMES = ["none", "dataset", "imagenet"] as const;
export type NormalizeName = (typeof NORMALIZE_NAMES)[number];

/** Per-channel mean and standard deviation of pixels / 255: Normalize(mean, std). */
export interface Normalization {
  mean: number[];
  std: number[];
}

/**
 * ImageNet's statistics (torchvision's models' Normalize). For grey images, the means of the three
 * channels' values (0.449, 0.226): torchvision has no single-channel ImageNet values.
 */
export function imagenetNormalization(channels: Channels): Normalization {
  return channels === 3
    ? { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
    : { mean: [0.449], std: [0.226] };
}

/** Per-channel mean and (population) standard deviation of pixels / 255 over every image of `ds`. */
export function datasetNormalization(ds: Dataset): Normalization {
  const plane = ds.rows * ds.cols;
  const sums = new Float64Array(ds.channels);
  const squares = new Float64Array(ds.channels);
  // Histograms per channel: exact and fast (256 bins) whatever the data set's size.
  const hist = Array.from({ length: ds.channels }, () => new Float64Array(256));
  const per = imageBytes(ds);
  for (let i = 0; i < ds.count; i++) {
    for (let c = 0; c < ds.channels; c++) {
      const h = hist[c]!;
      const base = i * per + c * plane;
      for (let p = 0; p < plane; p++) h[ds.images[base + p]!]!++;
    }
  }
  const n = ds.count * plane;
  for (let c = 0; c < ds.channels; c++) {
    for (let v = 0; v < 256; v++) {
      const k = hist[c]![v]!;
      sums[c]! += (k * v) / 255;
      squares[c]! += k * (v / 255) ** 2;
    }
  }
  const mean = Array.from(sums, (s) => (n ? s / n : 0));
  const std = Array.from(squares, (s, c) => Math.sqrt(Math.max(n ? s / n - mean[c]! ** 2 : 0, 0)) || 1);
  return { mean, std };
}

/** The normalisation `name` stands for on data set `ds` (null: none, pixels / 255). */
export function resolveNormalization(name: NormalizeName, ds: Dataset): Normalization | null {
  if (name === "none") return null;
  return name === "imagenet" ? imagenetNormalization(ds.channels) : datasetNormalization(ds);
}

/** A 32-bit mix of two integers (murmur3's finaliser). */
function mix(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of batch `index`'s augmentation: a pure function of the epoch's seed, whoever builds it. */
export const batchSeed = (epochSeed: number, index: number): number => mix(epochSeed, index);

/** torchvision's RandomResizedCrop.get_params: top, left, height, width of the crop. */
export function randomResizedCropParams(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number] = [0.08, 1],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): { top: number; left: number; height: number; width: number } {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(target * aspect));
    const h = roundHalfEven(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * The crop [top, left, height, width] of a CHW uint8 image resized to size x size (Pillow bilinear with a
 * box, as torchvision's resized_crop on PIL images).
 */
export function resizedCrop(
  chw: Uint8Array,
  channels: number,
  rows: number,
  cols: number,
  crop: { top: number; left: number; height: number; width: number },
  size: number,
): Uint8Array {
  // To HWC for the resampler, only the crop's rows and columns.
  const { top, left, height, width } = crop;
  const hwc = new Uint8Array(height * width * channels);
  const plane = rows * cols;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++)
        hwc[(y * width + x) * channels + c] = chw[c * plane + (y + top) * cols + x + left]!;
  const out = resizeBilinearPil(hwc, width, height, channels, size, size);
  const res = new Uint8Array(size * size * channels);
  const outPlane = size * size;
  for (let p = 0; p < outPlane; p++)
    for (let c = 0; c < channels; c++) res[c * outPlane + p] = out[p * channels + c]!;
  return res;
}

/**
 * torchvision's RandomErasing.get_params with scale=(0.02, 0.33), ratio=(0.3, 3.3): top, left, height,
 * width of the rectangle to erase, or null when ten attempts find none that fits (torchvision then
 * returns the image unchanged).
 */
export function randomErasingParams(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number] = [0.02, 0.33],
  ratio: readonly [number, number] = [0.3, 3.3],
): { top: number; left: number; height: number; width: number } | null {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const h = roundHalfEven(Math.sqrt(target * aspect));
    const w = roundHalfEven(Math.sqrt(target / aspect));
    if (h < height && w < width) {
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
    }
  }
  return null;
}

/** The padding `crop` uses for images of side `size`: size / 8, rounded (4 for CIFAR's 32). */
export const cropPadding = (size: number): number => Math.max(1, Math.round(size / 8));

/**
 * Writes image `index` of `ds` as float32 into `out` at `offset` (channels x rows x cols) as `transform`
 * says: augmented drawing from `rng` (RandomCrop / RandomResizedCrop first, then the flip, as torchvision's
 * usual Compose), mirrored when `mirror`, then pixels / 255, then normalised, then with probability
 * `erasing` a rectangle set to 0 in every channel (RandomErasing(p=erasing, value=0) after Normalize, as
 * torchvision's recipes place it).
 */
export function writeImage(
  ds: Dataset,
  index: number,
  out: Float32Array,
  offset: number,
  transform: BatchTransform,
  rng: Rng | null,
): void {
  const { augment, normalization: norm, erasing, mirror } = transform;
  const { channels, rows, cols } = ds;
  const plane = rows * cols;
  const per = imageBytes(ds);
  let src: Uint8Array = ds.images.subarray(index * per, (index + 1) * per);
  // Source offsets (dy, dx) of a padded crop: pixel (y, x) reads (y + dy, x + dx), zero outside.
  let dy = 0;
  let dx = 0;
  let flip = false;
  if (augment !== "none") {
    if (!rng) throw new Error(`writeImage: augment ${augment} needs an rng`);
    if (augment === "crop") {
      const pad = cropPadding(rows);
      dy = rng.int(2 * pad + 1) - pad;
      dx = rng.int(2 * pad + 1) - pad;
    } else if (augment === "resized-crop") {
      src = resizedCrop(src, channels, rows, cols, randomResizedCropParams(rng, rows, cols), rows);
    }
    flip = rng.next() < 0.5;
  }
  if (mirror) flip = !flip;
  for (let c = 0; c < channels; c++) {
    const mean = norm ? norm.mean[c]! : 0;
    const std = norm ? norm.std[c]! : 1;
    const base = offset + c * plane;
    for (let y = 0; y < rows; y++) {
      const sy = y + dy;
      for (let x = 0; x < cols; x++) {
        const sx = (flip ? cols - 1 - x : x) + dx;
        const v = sy >= 0 && sy < rows && sx >= 0 && sx < cols ? src[c * plane + sy * cols + sx]! : 0;
        out[base + y * cols + x] = norm ? (v / 255 - mean) / std : v / 255;
      }
    }
  }
  if (erasing > 0) {
    if (!rng) throw new Error("writeImage: random erasing needs an rng");
    const box = rng.next() < erasing ? randomErasingParams(rng, rows, cols) : null;
    if (box) {
      for (let c = 0; c < channels; c++)
        for (let y = box.top; y < box.top + box.height; y++) {
          const row = offset + c * plane + y * cols;
          out.fill(0, row + box.left, row + box.left + box.width);
        }
    }
  }
}

/** What a batch's images go through (the same on any thread). */
export interface BatchTransform {
  augment: AugmentName;
  normalization: Normalization | null;
  /** RandomErasing's probability per image (0: off). */
  erasing: number;
  /** Mirror every image left-right, after any random flip (deterministic: flip test-time augmentation). */
  mirror: boolean;
}

/**
 * The float32 images ([B,C,H,W]) and labels of the examples `indices` of `ds`; batch `seed` seeds the
 * augmentation (ignored without one).
 */
export function buildBatch(
  ds: Dataset,
  indices: ArrayLike<number>,
  transform: BatchTransform,
  seed: number,
): { images: Float32Array; labels: Float32Array } {
  const per = imageBytes(ds);
  const images = new Float32Array(indices.length * per);
  const labels = new Float32Array(indices.length);
  const rng = transform.augment === "none" && transform.erasing === 0 ? null : new Rng(seed);
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k]!;
    writeImage(ds, index, images, k * per, transform, rng);
    labels[k] = ds.labels[index]!;
  }
  return { images, labels };
}
