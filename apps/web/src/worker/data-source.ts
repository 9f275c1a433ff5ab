/**
 * The worker's data: a generated asset fetched from the page's own origin (a folder of the four gzipped
 * IDX files), IDX files the user dropped (optionally gzipped), or the user's images (class folders,
 * image-folder.ts).
 * Decoded once per source and kept.
 */
import { type DataSplits, IDX_FILE_NAMES, type IdxFileKey, splitsFromIdx } from "@resnet-ts/data";
import type { DataChoice, ImagesReport, ImagesRequest } from "../protocol.js";
import { type ImageEntry, loadImageEntries, unzipEntries } from "./image-folder.js";

let cached: { key: string; splits: DataSplits } | null = null;
/** The user's images as last loaded (kept apart from `cached`, so that another data set does not drop them). */
let images: { key: string; splits: DataSplits } | null = null;

const keyOf = (choice: Exclude<DataChoice, { kind: "images" }>) =>
  choice.kind === "asset"
    ? `asset:${choice.url}`
    : `idx:${choice.files.map((f) => `${f.name}:${f.bytes.byteLength}`).join()}`;

/**
 * Decodes the user's images (a folder's files, or the entries of one `.zip`) and keeps them under
 * `request.key`; returns what the page shows. Throws a one-line message naming the bad file or folder.
 */
export async function loadImages(
  request: ImagesRequest,
  onProgress: (done: number, total: number) => void,
): Promise<ImagesReport> {
  images = null;
  const { files, source } = request;
  if (files.length === 0) throw new Error(`${source}: no files in it; expected class folders of images`);
  const zip = files.length === 1 && files[0]!.path.toLowerCase().endsWith(".zip");
  const entries: ImageEntry[] = zip
    ? unzipEntries(new Uint8Array(files[0]!.bytes), source)
    : files.map((f) => ({ path: f.path, bytes: new Uint8Array(f.bytes) }));
  const { splits, preview } = await loadImageEntries(source, entries, {
    imageSize: request.imageSize,
    valFraction: request.valFraction,
    seed: request.seed,
    onProgress,
  });
  images = { key: request.key, splits };
  const { samples, ...rest } = preview;
  return {
    ...rest,
    key: request.key,
    samples: { ...samples, classNames: preview.classNames, invert: false },
  };
}

export async function loadData(choice: DataChoice): Promise<DataSplits> {
  if (choice.kind === "images") {
    if (images?.key !== choice.key)
      throw new Error("your images are not loaded (yet): pick the folder or zip again");
    return images.splits;
  }
  const key = keyOf(choice);
  if (cached?.key === key) return cached.splits;
  const splits =
    choice.kind === "asset"
      ? await fetchAsset(choice.url, choice.label)
      : await fromIdxFiles(choice.files, "IDX files");
  cached = { key, splits };
  return splits;
}

/** The four gzipped IDX files in the folder at `url` (ending in "/"). */
async function fetchAsset(url: string, label: string): Promise<DataSplits> {
  const files = await Promise.all(
    Object.values(IDX_FILE_NAMES).map(async (stem) => {
      const fileUrl = new URL(`${stem}.gz`, url).href;
      const response = await fetch(fileUrl);
      if (!response.ok) {
        throw new Error(
          `data: GET ${fileUrl} answered ${response.status} ${response.statusText} (run the app's data script)`,
        );
      }
      return { name: `${stem}.gz`, bytes: await response.arrayBuffer() };
    }),
  );
  return fromIdxFiles(files, label);
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The four Fashion-MNIST IDX files, recognised by name (`train-images-idx3-ubyte`, ... with or without
 * `.gz`; any prefix directory is ignored); `source` names the data in messages.
 */
async function fromIdxFiles(
  files: { name: string; bytes: ArrayBuffer }[],
  source: string,
): Promise<DataSplits> {
  const found = new Map<string, Uint8Array>();
  for (const file of files) {
    const base = file.name.split(/[\\/]/).pop()!;
    const stem = base.endsWith(".gz") ? base.slice(0, -3) : base;
    const bytes = new Uint8Array(file.bytes);
    // By gzip's magic, not the name: a server may already have decoded a `.gz` (Content-Encoding).
    found.set(stem, bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes);
  }
  const idx = {} as Record<IdxFileKey, Uint8Array>;
  for (const [key, stem] of Object.entries(IDX_FILE_NAMES) as [IdxFileKey, string][]) {
    const bytes = found.get(stem);
    if (!bytes) {
      throw new Error(
        `IDX files: ${stem} is missing; drop all four of ${Object.values(IDX_FILE_NAMES).join(", ")} (optionally .gz)`,
      );
    }
    idx[key] = bytes;
  }
  return splitsFromIdx(idx, source);
}
