/**
 * Loading the data set a command names: the embedded Fashion-MNIST or a directory (class folders,
 * CIFAR-10 binary files or IDX files), reported in one line; warnings one line each.
 */
import { resolve } from "node:path";
import { type DataSplits, describeSplits } from "@resnet-ts/data";
import { type ImageLoadOptions, loadData } from "@resnet-ts/data/node";
import type { Output } from "./output.js";
import { SingleBar } from "cli-progress";

/** A `--data` value as checkpoints record it: "fashion-mnist", or the folder's absolute path. */
export const dataSource = (value: string): string => (value === "fashion-mnist" ? value : resolve(value));

export async function loadSplits(
  source: string,
  out: Output,
  options: ImageLoadOptions = {},
): Promise<DataSplits> {
  const t0 = performance.now();
  let bar: SingleBar | null = null;
  const splits = await loadData(source, {
    ...options,
    onProgress: (msg) => out.info(msg),
    onWarning: (msg) => out.info(`warning: ${msg}`),
    onDecoded: (done, total) => {
      if (total < 500) return;
      if (!bar) {
        bar = new SingleBar({
          format: "decoding images [{bar}] {value}/{total} | ETA {eta_formatted}",
          stream: out.progressStream,
        });
        bar.start(total, 0);
      }
      bar.update(done);
      if (done === total) bar.stop();
    },
  });
  out.info(`data: ${describeSplits(splits)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return splits;
}
