/**
 * The data menu: the generated assets listed in `data/index.json` (see scripts/make-data.mjs), IDX
 * files the user drops on the page or picks with the file dialog, and "Your images": a picked folder or
 * a dropped `.zip` of class folders, sent to the worker to decode as soon as it is chosen (and again when
 * the image size or validation fraction changes), so that the page shows the classes before training.
 */
import type { DataChoice, ImagesReport, ImagesRequest } from "../protocol.js";
import { showImagesPreview } from "./views.js";

interface AssetEntry {
  id: string;
  /** The folder of gzipped IDX files under data/. */
  dir: string;
  label: string;
  train: number;
  test: number;
  bytes: number;
}

const IDX_VALUE = "idx";
const IMAGES_VALUE = "images";

export interface DataMenu {
  /** The chosen data, or null (with a message) when it is not ready. */
  current(): DataChoice | null;
  /** The worker's answers to a `load-images` request. */
  imagesProgress(key: string, done: number, total: number): void;
  imagesLoaded(report: ImagesReport): void;
  imagesFailed(key: string, message: string): void;
  /** Sets the image size and validation fraction (each when given) and reloads picked images if they changed. */
  useSettings(settings: { imageSize: number | null; valFraction: number | null }): void;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export async function loadDataMenu(
  select: HTMLSelectElement,
  picker: HTMLInputElement,
  showError: (message: string) => void,
  requestImages: (request: ImagesRequest, transfer: ArrayBuffer[]) => void,
): Promise<DataMenu> {
  let assets: AssetEntry[] = [];
  try {
    const response = await fetch(new URL("data/index.json", document.baseURI));
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    assets = (await response.json()) as AssetEntry[];
  } catch (error) {
    showError(
      `data: no generated data sets (data/index.json: ${(error as Error).message}); drop IDX files instead`,
    );
  }
  for (const a of assets) {
    select.add(new Option(`${a.label} (${(a.bytes / 1e6).toFixed(1)} MB)`, a.id));
  }
  select.add(new Option("IDX files (drop them on the page or choose them)...", IDX_VALUE));
  select.add(new Option("Your images (a folder or a .zip of class folders)...", IMAGES_VALUE));
  let idx: { name: string; bytes: ArrayBuffer }[] = [];

  const panel = byId<HTMLFieldSetElement>("images-panel");
  const status = byId("images-status");
  const preview = byId("images-preview");
  const sizeInput = byId<HTMLInputElement>("image-size");
  const fractionInput = byId<HTMLInputElement>("val-fraction");
  /** The user's files (a folder's, with paths inside it, or one zip) and the load in flight or done. */
  let picked: { source: string; files: { path: string; file: File }[] } | null = null;
  let requested = 0;
  let loaded: string | null = null;
  let pending: string | null = null;
  /** The image size, validation fraction and seed of the last load (the same values load nothing again). */
  let loadedWith = "";

  const setStatus = (text: string, state: "none" | "loading" | "loaded" | "failed") => {
    status.textContent = text;
    status.dataset.state = state;
  };
  const showPanel = () => {
    panel.hidden = select.value !== IMAGES_VALUE;
  };

  /** Sends the picked files to the worker with the current settings; nothing trains until it answers. */
  const loadImages = async (force: boolean) => {
    if (!picked) return;
    const imageSize = Number(sizeInput.value);
    const valFraction = Number(fractionInput.value);
    if (!Number.isInteger(imageSize) || imageSize < 8 || imageSize > 512) {
      return setStatus(`image size ${sizeInput.value}: expected an integer from 8 to 512`, "failed");
    }
    if (!(valFraction >= 0 && valFraction < 1)) {
      return setStatus(
        `validation fraction ${fractionInput.value}: expected a number from 0 up to 1`,
        "failed",
      );
    }
    // The split is drawn with the training seed, so a new seed draws a new one.
    const seed = Number(byId<HTMLInputElement>("seed").value) || 0;
    const settings = `${imageSize}:${valFraction}:${seed}`;
    if (!force && settings === loadedWith) return;
    loadedWith = settings;
    const key = `images-${++requested}`;
    loaded = null;
    pending = key;
    preview.replaceChildren();
    setStatus(`reading ${picked.source} (${picked.files.length} files)`, "loading");
    const files = await Promise.all(
      picked.files.map(async (f) => ({ path: f.path, bytes: await f.file.arrayBuffer() })),
    );
    if (pending !== key) return;
    const request: ImagesRequest = { key, source: picked.source, files, imageSize, valFraction, seed };
    requestImages(
      request,
      files.map((f) => f.bytes),
    );
  };
  const pickImages = (source: string, files: { path: string; file: File }[]) => {
    picked = { source, files };
    select.value = IMAGES_VALUE;
    showPanel();
    void loadImages(true);
  };
  byId<HTMLInputElement>("image-folder").addEventListener("change", (event) => {
    const list = [...((event.target as HTMLInputElement).files ?? [])];
    if (!list.length) return;
    const top = list[0]!.webkitRelativePath.split("/")[0] || "folder";
    pickImages(
      top,
      list.map((file) => ({ path: file.webkitRelativePath || file.name, file })),
    );
  });
  byId<HTMLInputElement>("image-zip").addEventListener("change", (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) pickImages(file.name, [{ path: file.name, file }]);
  });
  for (const input of [sizeInput, fractionInput, byId<HTMLInputElement>("seed")])
    input.addEventListener("change", () => void loadImages(false));

  const take = async (files: FileList | null) => {
    if (!files?.length) return;
    if (files.length === 1 && files[0]!.name.toLowerCase().endsWith(".zip")) {
      return pickImages(files[0]!.name, [{ path: files[0]!.name, file: files[0]! }]);
    }
    idx = await Promise.all([...files].map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    const option = [...select.options].find((o) => o.value === IDX_VALUE)!;
    option.textContent = `IDX files: ${idx.map((f) => f.name).join(", ")}`;
    select.value = IDX_VALUE;
  };
  select.addEventListener("change", () => {
    showPanel();
    if (select.value === IDX_VALUE && idx.length === 0) picker.click();
  });
  picker.addEventListener("change", () => void take(picker.files));
  document.addEventListener("dragover", (event) => event.preventDefault());
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    void take(event.dataTransfer?.files ?? null);
  });

  return {
    current(): DataChoice | null {
      if (select.value === IMAGES_VALUE) {
        if (loaded) return { kind: "images", key: loaded };
        showError(
          pending
            ? "data: your images are still loading; start when the classes are shown"
            : "data: pick a folder of class folders or a .zip first (and fix what the message above says)",
        );
        return null;
      }
      if (select.value === IDX_VALUE) return idx.length ? { kind: "idx", files: idx } : null;
      const asset = assets.find((a) => a.id === select.value);
      if (!asset) return null;
      return { kind: "asset", url: new URL(`data/${asset.dir}/`, document.baseURI).href, label: asset.label };
    },
    imagesProgress(key, done, total) {
      if (key === pending) setStatus(`decoding: ${done} of ${total} images`, "loading");
    },
    imagesLoaded(report) {
      if (report.key !== pending) return;
      pending = null;
      loaded = report.key;
      setStatus([report.line, ...report.warnings].join("\n"), "loaded");
      showImagesPreview(preview, report);
    },
    imagesFailed(key, message) {
      if (key !== pending) return;
      pending = null;
      setStatus(message, "failed");
    },
    useSettings({ imageSize, valFraction }) {
      if (imageSize !== null) sizeInput.value = String(imageSize);
      if (valFraction !== null) fractionInput.value = String(valFraction);
      void loadImages(false);
    },
  };
}
