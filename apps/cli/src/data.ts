/** Loading the data set a command names: the embedded Fashion-MNIST or a folder of IDX files. */
import { resolve } from "node:path";
import { CLASS_NAMES, type DataSplits } from "@resnet-ts/data";
import { loadData } from "@resnet-ts/data/node";
import type { Output } from "./output.js";

/** A `--data` value as checkpoints record it: "fashion-mnist", or the folder's absolute path. */
export const dataSource = (value: string): string => (value === "fashion-mnist" ? value : resolve(value));

/** The classes of the data sets the CLI loads (IDX labels are checked against them on load). */
export const DATA_CLASSES = CLASS_NAMES.length;

/** Image channels of the data sets the CLI loads (IDX and Fashion-MNIST images are grey). */
export const DATA_CHANNELS = 1;

export async function loadSplits(source: string, out: Output): Promise<DataSplits> {
  const t0 = performance.now();
  const splits = await loadData(source, { onProgress: (msg) => out.info(msg) });
  out.info(
    `data: ${splits.source}, ${splits.train.count} train / ${splits.test.count} test images of ` +
      `${splits.train.rows}x${splits.train.cols} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return splits;
}
