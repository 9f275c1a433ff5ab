/** Loading the data set a command names: the embedded Fashion-MNIST or a folder of IDX files. */
import { resolve } from "node:path";
import type { DataSplits } from "@resnet-ts/data";
import { loadData } from "@resnet-ts/data/node";
import type { Output } from "./output.js";

/** A `--data` value as checkpoints record it: "fashion-mnist", or the folder's absolute path. */
export const dataSource = (value: string): string => (value === "fashion-mnist" ? value : resolve(value));

export async function loadSplits(source: string, out: Output): Promise<DataSplits> {
  const t0 = performance.now();
  const splits = await loadData(source, { onProgress: (msg) => out.info(msg) });
  const { train, test, channels, classNames } = splits;
  out.info(
    `data: ${splits.source}, ${train.count} train / ${test.count} test images of ` +
      `${channels}x${train.rows}x${train.cols}, ${classNames.length} classes ` +
      `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return splits;
}
