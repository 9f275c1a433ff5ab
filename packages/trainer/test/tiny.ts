/** A tiny model and data set for fast tests of the loop and checkpoints, and temporary directories. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataSplits, Dataset } from "@resnet-ts/data";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, ReLU, Sequential } from "@resnet-ts/layers";
import { Rng } from "@resnet-ts/tensor";
import { afterAll } from "vitest";

/** Conv(1->4, 3x3) - BN - ReLU - global average - Linear(4 -> classes): 9 state-dict entries. */
export function tinyModel(seed = 1, classes = 3): Sequential {
  const rng = new Rng(seed);
  return new Sequential(
    new Conv2d(1, 4, 3, { padding: 1, rng }),
    new BatchNorm2d(4),
    new ReLU(),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(4, classes, { rng }),
  );
}

/** `count` random 6x6 images whose label follows their brightness, so a model can learn it. */
export function tinyDataset(count: number, seed: number, classes = 3): Dataset {
  const rng = new Rng(seed);
  const rows = 6;
  const cols = 6;
  const images = new Uint8Array(count * rows * cols);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(classes);
    labels[i] = label;
    for (let p = 0; p < rows * cols; p++)
      images[i * rows * cols + p] = Math.min(255, label * 80 + rng.int(100));
  }
  return { images, labels, count, channels: 1, rows, cols };
}

export const tinySplits = (train = 40, test = 18): DataSplits => ({
  train: tinyDataset(train, 11),
  test: tinyDataset(test, 12),
  source: "tiny",
  channels: 1,
  classNames: ["dark", "middle", "bright"],
});

/** A fresh directory, removed after the test file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "resnet-ts-trainer-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
