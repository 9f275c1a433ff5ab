/**
 * Recognising a data set's layout from its files' relative paths ("/"-separated), browser-safe so that
 * the CLI (a directory) and the web app (a picked folder or a zip) read the same layouts:
 * - `cifar10`: CIFAR-10's binary version (data_batch_1.bin ... data_batch_5.bin, test_batch.bin,
 *   batches.meta.txt), at the top or in one folder (cifar-10-batches-bin/);
 * - `idx`: the four IDX files of (Fashion-)MNIST, plain or gzipped;
 * - `image-folder`: torchvision's ImageFolder, `<class>/<image>` with classes sorted by name, or
 *   `train/<class>/...` + `val/<class>/...` (or `test/`) for a given split.
 */
import { Rng } from "@resnet-ts/tensor";
import type { Channels, DataSplits, Dataset } from "./dataset.js";
import { IDX_FILE_NAMES } from "./idx.js";

/** The image files class folders may hold (case-insensitive), as torchvision's IMG_EXTENSIONS subset. */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".webp"] as const;

export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = "test_batch.bin";
export const CIFAR10_META_FILE = "batches.meta.txt";

/** One image file of a class folder: its path and label (index into the classes). */
export interface Sample {
  path: string;
  label: number;
}

export type Layout =
  | { kind: "cifar10"; prefix: string }
  | { kind: "idx"; prefix: string }
  | {
      kind: "image-folder";
      classes: string[];
      train: Sample[];
      /** Null: no train/ + val/ (or test/) folders, split the samples with `stratifiedSplit`. */
      test: Sample[] | null;
      /** The folder the given split's evaluation images came from (val or test), when there is one. */
      testFolder: string | null;
      /** Files skipped because they are not images by their extension (or lie outside class folders). */
      skipped: string[];
    };

const isImage = (path: string) => IMAGE_EXTENSIONS.some((e) => path.toLowerCase().endsWith(e));
const hidden = (path: string) => path.split("/").some((p) => p.startsWith("."));

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The class folders directly under `prefix` (with their image files, sorted by path). */
function classFolders(paths: readonly string[], prefix: string, skipped: string[]) {
  const classes = new Map<string, string[]>();
  for (const path of paths) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length).split("/");
    if (rest.length < 2) {
      if (!hidden(path)) skipped.push(path);
      continue;
    }
    const name = rest[0]!;
    const list = classes.get(name) ?? [];
    classes.set(name, list);
    if (rest.length === 2 && rest[1] === "") continue;
    if (isImage(path) && !hidden(path.slice(prefix.length))) list.push(path);
    else if (!hidden(path.slice(prefix.length))) skipped.push(path);
  }
  for (const list of classes.values()) list.sort(compare);
  return new Map([...classes].sort(([a], [b]) => compare(a, b)));
}

/**
 * The layout of the files `paths` (relative to the data folder, "/"-separated; a folder may be listed
 * as "name/" so that empty class folders are seen). `root` names the folder in errors.
 */
export function detectLayout(paths: readonly string[], root = "data"): Layout {
  const names = new Map(paths.map((p) => [p.split("/").pop()!, p]));
  const cifar = names.get(CIFAR10_TEST_FILE) ?? names.get(CIFAR10_TRAIN_FILES[0]!);
  if (cifar !== undefined) return { kind: "cifar10", prefix: cifar.slice(0, cifar.lastIndexOf("/") + 1) };
  const idx = Object.values(IDX_FILE_NAMES)
    .map((n) => names.get(n) ?? names.get(`${n}.gz`))
    .find((p) => p !== undefined);
  if (idx !== undefined) return { kind: "idx", prefix: idx.slice(0, idx.lastIndexOf("/") + 1) };
  const skipped: string[] = [];
  const top = classFolders(paths, "", []);
  const testName = ["val", "test"].find((n) => top.has(n));
  if (top.has("train") && testName) {
    const train = classFolders(paths, "train/", skipped);
    const test = classFolders(paths, `${testName}/`, skipped);
    const classes = checkClasses(train, `${root}/train`);
    for (const name of test.keys()) {
      if (!train.has(name)) {
        throw new Error(
          `${root}/${testName}/${name}: a class folder that ${root}/train/ does not have; expected the same classes as train/ (${classes.join(", ")})`,
        );
      }
    }
    const label = new Map(classes.map((c, i) => [c, i]));
    const samples = (m: Map<string, string[]>) =>
      [...m].flatMap(([name, files]) => files.map((path) => ({ path, label: label.get(name)! })));
    for (const [name, files] of test) {
      if (files.length === 0) throw emptyClass(`${root}/${testName}/${name}`);
    }
    return {
      kind: "image-folder",
      classes,
      train: samples(train),
      test: samples(test),
      testFolder: testName,
      skipped,
    };
  }
  const folders = classFolders(paths, "", skipped);
  const classes = checkClasses(folders, root);
  const samples = [...folders.values()].flatMap((files, label) => files.map((path) => ({ path, label })));
  return { kind: "image-folder", classes, train: samples, test: null, testFolder: null, skipped };
}

const emptyClass = (folder: string) =>
  new Error(`${folder}: an empty class folder; expected ${IMAGE_EXTENSIONS.join(", ")} files in it`);

function checkClasses(folders: Map<string, string[]>, root: string): string[] {
  const total = [...folders.values()].reduce((n, f) => n + f.length, 0);
  if (total === 0) {
    throw new Error(
      `${root}: no images found; expected class folders ${root}/<class>/*.{png,jpg,jpeg,webp} ` +
        "(optionally under train/ and val/ or test/), CIFAR-10's data_batch_*.bin files, or the four IDX files",
    );
  }
  for (const [name, files] of folders) if (files.length === 0) throw emptyClass(`${root}/${name}`);
  const classes = [...folders.keys()];
  if (classes.length < 2) {
    throw new Error(
      `${root}: a single class folder (${classes[0]}); expected at least two class folders to tell apart`,
    );
  }
  if (classes.length > 256) {
    throw new Error(`${root}: ${classes.length} class folders; at most 256 classes are supported`);
  }
  return classes;
}

/**
 * A seeded, stratified split: per class (in class order), the class's samples shuffled by one Rng(seed)
 * and round(n * fraction) of them (at least one when the class has two or more and fraction > 0) go to the
 * evaluation split. Both splits keep the samples in their original order.
 */
export function stratifiedSplit(
  samples: readonly Sample[],
  classes: number,
  fraction: number,
  seed: number,
): { train: Sample[]; test: Sample[] } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new Error(`--val-fraction ${fraction}: expected a fraction from 0 up to (not including) 1`);
  }
  const rng = new Rng(seed);
  const held = new Set<number>();
  for (let label = 0; label < classes; label++) {
    const members = samples.flatMap((s, i) => (s.label === label ? [i] : []));
    let n = Math.round(members.length * fraction);
    if (fraction > 0 && n === 0 && members.length >= 2) n = 1;
    const order = rng.shuffle(Uint32Array.from(members));
    for (let k = 0; k < n; k++) held.add(order[k]!);
  }
  return {
    train: samples.filter((_, i) => !held.has(i)),
    test: samples.filter((_, i) => held.has(i)),
  };
}

/**
 * The samples reordered round-robin over the classes (class 0's first, class 1's first, ...), each class
 * in file order, as the Fashion-MNIST sets are, so that the first n examples are balanced.
 */
export function interleaveClasses(samples: readonly Sample[], classes: number): Sample[] {
  const per = Array.from({ length: classes }, () => [] as Sample[]);
  for (const s of samples) per[s.label]!.push(s);
  const out: Sample[] = [];
  const longest = Math.max(0, ...per.map((p) => p.length));
  for (let r = 0; r < longest; r++) for (const p of per) if (r < p.length) out.push(p[r]!);
  return out;
}

/**
 * The splits of a decoded class folder: `images` holds the `train` samples' images, then the `test` ones', each
 * channels x size x size (as the CLI's sharp decoding and the web worker's canvas decoding both store them).
 */
export function imageFolderSplits(
  images: Uint8Array,
  train: readonly Sample[],
  test: readonly Sample[],
  {
    channels,
    size,
    source,
    classNames,
  }: { channels: Channels; size: number; source: string; classNames: string[] },
): DataSplits {
  const per = channels * size * size;
  const dataset = (samples: readonly Sample[], offset: number): Dataset => ({
    images: images.subarray(offset * per, (offset + samples.length) * per),
    labels: Uint8Array.from(samples, (s) => s.label),
    count: samples.length,
    channels,
    rows: size,
    cols: size,
  });
  return {
    train: dataset(train, 0),
    test: dataset(test, train.length),
    source,
    channels,
    classNames,
    layout: "image-folder",
  };
}
