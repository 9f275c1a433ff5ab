/**
 * "Your images" in the worker: the files of a picked folder or a dropped `.zip` (paths relative to it)
 * read as the CLI reads `--data DIR` — the same layout detection (`detectLayout`: class folders, optionally
 * under train/ + val/ or test/), the same seeded stratified split and class interleaving, the same
 * channel rule (colour if any file is colour) and the same stored form (`fitImage`: Resize + CenterCrop,
 * Pillow's bilinear) — with the files decoded by the browser (image-decode.ts) instead of sharp.
 */
import {
  type Channels,
  type DataSplits,
  detectLayout,
  fitImage,
  imageFolderSplits,
  interleaveClasses,
  type Sample,
  stratifiedSplit,
} from "@resnet-ts/data";
import { unzipSync } from "fflate";
import { decodeImage, headerColour, pixelsColour } from "./image-decode.js";

/** One file of the user's data: its path inside the folder or zip ("/"-separated) and its bytes. */
export interface ImageEntry {
  path: string;
  bytes: Uint8Array;
}

export interface ImageFolderOptions {
  /** The stored side (`--image-size`): Resize(imageSize) + CenterCrop(imageSize). */
  imageSize: number;
  valFraction: number;
  seed: number;
  /** Called with (decoded, total) while decoding. */
  onProgress?: (done: number, total: number) => void;
}

/** What the page shows before training: classes, counts per split, a few stored images per class. */
export interface ImagePreview {
  line: string;
  warnings: string[];
  classNames: string[];
  trainCounts: number[];
  testCounts: number[];
  /** Up to PREVIEW_PER_CLASS stored training images per class (CHW), with their labels. */
  samples: { pixels: Uint8Array; labels: number[]; side: number; channels: Channels };
}

const PREVIEW_PER_CLASS = 4;
/** The most bytes of stored images the worker keeps (WebAssembly and tab memory are far smaller than RAM). */
const MAX_STORED_BYTES = 1 << 30;

/** The files inside a `.zip` (directories as "name/" entries, so that empty class folders are seen). */
export function unzipEntries(bytes: Uint8Array, name: string): ImageEntry[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw new Error(
      `${name}: not a readable zip file (${(error as Error).message}); expected a .zip of class folders`,
    );
  }
  return Object.entries(files).map(([path, data]) => ({ path, bytes: data }));
}

/**
 * The entries with any folder all of them share removed from their paths (the picked folder's own name,
 * or a zip's single top folder), as long as class folders remain, and macOS's `__MACOSX/` dropped.
 */
export function relativeEntries(entries: readonly ImageEntry[]): ImageEntry[] {
  let list = entries
    .map((e) => ({ ...e, path: e.path.replace(/\\/g, "/").replace(/^\/+/, "") }))
    .filter((e) => e.path !== "" && !e.path.startsWith("__MACOSX/"));
  for (;;) {
    const first = list[0]?.path.split("/")[0];
    const shared =
      first !== undefined &&
      list.every((e) => e.path.startsWith(`${first}/`)) &&
      list.some((e) => e.path.split("/").filter(Boolean).length >= 3);
    if (!shared) return list;
    list = list.map((e) => ({ ...e, path: e.path.slice(first.length + 1) })).filter((e) => e.path !== "");
  }
}

/** Reads, checks and decodes the user's class folders into data splits, with what to show first. */
export async function loadImageEntries(
  source: string,
  rawEntries: readonly ImageEntry[],
  options: ImageFolderOptions,
): Promise<{ splits: DataSplits; preview: ImagePreview }> {
  const entries = relativeEntries(rawEntries);
  const bytesOf = new Map(entries.map((e) => [e.path, e.bytes]));
  const layout = detectLayout(
    entries.map((e) => e.path),
    source,
  );
  if (layout.kind !== "image-folder") {
    throw new Error(
      `${source}: found ${layout.kind === "idx" ? "IDX files" : "CIFAR-10 files"}; "Your images" reads class folders ` +
        `(<class>/*.png|jpg|jpeg|webp)${layout.kind === "idx" ? ", pick the IDX files choice for IDX files" : ""}`,
    );
  }
  const warnings: string[] = [];
  if (layout.skipped.length) {
    warnings.push(
      `${source}: skipping ${layout.skipped.length} file(s) that are not images in class folders ` +
        `(expected .png, .jpg, .jpeg, .webp), e.g. ${layout.skipped[0]}`,
    );
  }
  const classes = layout.classes.length;
  let { train, test } = layout;
  if (!test) ({ train, test } = stratifiedSplit(train, classes, options.valFraction, options.seed));
  train = interleaveClasses(train, classes);
  test = interleaveClasses(test, classes);
  const all: Sample[] = [...train, ...test];

  // Colour from the headers first (as the CLI reads sharp's metadata), so one image is decoded at a time.
  const colours: boolean[] = [];
  for (const s of all) {
    const bytes = bytesOf.get(s.path)!;
    colours.push(headerColour(bytes) ?? pixelsColour(await decodeImage(bytes, `${source}/${s.path}`)));
  }
  const colour = colours.filter(Boolean).length;
  const channels: Channels = colour > 0 ? 3 : 1;
  if (colour > 0 && colour < all.length) {
    const odd = colours.indexOf(false);
    warnings.push(
      `${source}: mixed grey and colour images (${all.length - colour} grey, ${colour} colour); storing 3 channels, ` +
        `converting the others, e.g. ${all[odd]!.path}`,
    );
  }
  const size = options.imageSize;
  const per = channels * size * size;
  if (all.length * per > MAX_STORED_BYTES) {
    throw new Error(
      `${source}: ${all.length} images of ${channels}x${size}x${size} need ${all.length * per} bytes stored, ` +
        `more than the ${MAX_STORED_BYTES} the page keeps; choose a smaller image size or fewer images`,
    );
  }
  const images = new Uint8Array(all.length * per);
  let small = 0;
  let firstSmall = "";
  for (const [i, s] of all.entries()) {
    const raw = await decodeImage(bytesOf.get(s.path)!, `${source}/${s.path}`);
    if (Math.min(raw.width, raw.height) < size && small++ === 0)
      firstSmall = `${s.path} (${raw.width}x${raw.height})`;
    fitImage(raw, channels, size, images.subarray(i * per, (i + 1) * per));
    options.onProgress?.(i + 1, all.length);
  }
  if (small > 0) {
    warnings.push(
      `${source}: ${small} image(s) smaller than the image size ${size} on their shorter side, e.g. ${firstSmall}; ` +
        "they are upscaled",
    );
  }
  const splits = imageFolderSplits(images, train, test, {
    channels,
    size,
    source,
    classNames: layout.classes,
  });
  const counts = (samples: Sample[]) => {
    const n = new Array<number>(classes).fill(0);
    for (const s of samples) n[s.label]!++;
    return n;
  };
  const picks: number[] = [];
  for (let label = 0; label < classes; label++) {
    const of = train.flatMap((s, i) => (s.label === label ? [i] : [])).slice(0, PREVIEW_PER_CLASS);
    picks.push(...of);
  }
  const pixels = new Uint8Array(picks.length * per);
  picks.forEach((i, k) => {
    pixels.set(images.subarray(i * per, (i + 1) * per), k * per);
  });
  const split = layout.testFolder
    ? `train/ + ${layout.testFolder}/`
    : `split ${train.length} / ${test.length} (val fraction ${options.valFraction}, seed ${options.seed})`;
  const line =
    `${source}: class folders, ${classes} classes (${layout.classes.join(", ")}), ${train.length} train / ` +
    `${test.length} test images, ${split}, stored at ${channels}x${size}x${size}`;
  return {
    splits,
    preview: {
      line,
      warnings,
      classNames: layout.classes,
      trainCounts: counts(train),
      testCounts: counts(test),
      samples: { pixels, labels: picks.map((i) => train[i]!.label), side: size, channels },
    },
  };
}
