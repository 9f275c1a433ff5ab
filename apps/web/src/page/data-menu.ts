/**
 * The data menu: the generated assets listed in `data/index.json` (see scripts/make-data.mjs), plus
 * IDX files the user drops on the page or picks with the file dialog.
 */
import type { DataChoice } from "../protocol.js";

interface AssetEntry {
  id: string;
  file: string;
  label: string;
  train: number;
  test: number;
  bytes: number;
}

const IDX_VALUE = "idx";

export async function loadDataMenu(
  select: HTMLSelectElement,
  picker: HTMLInputElement,
  showError: (message: string) => void,
): Promise<{ current(): DataChoice | null }> {
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
  let idx: { name: string; bytes: ArrayBuffer }[] = [];

  const take = async (files: FileList | null) => {
    if (!files?.length) return;
    idx = await Promise.all([...files].map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    const option = [...select.options].find((o) => o.value === IDX_VALUE)!;
    option.textContent = `IDX files: ${idx.map((f) => f.name).join(", ")}`;
    select.value = IDX_VALUE;
  };
  select.addEventListener("change", () => {
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
      if (select.value === IDX_VALUE) return idx.length ? { kind: "idx", files: idx } : null;
      const asset = assets.find((a) => a.id === select.value);
      if (!asset) return null;
      return { kind: "asset", url: new URL(`data/${asset.file}`, document.baseURI).href, label: asset.label };
    },
  };
}
