// Test helpers: runs the built `resnet-ts` binary, and writes a tiny learnable IDX data set.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { writeIdxDir } from "@resnet-ts/data/node";
import { Rng } from "@resnet-ts/tensor";

export const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const run = promisify(execFile);

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

export const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Writes `train` and `test` examples where each class is a bright square at its own position. */
export async function writeTinyIdx(dataDir: string, train = 80, test = 40): Promise<void> {
  const rng = new Rng(5);
  const make = (count: number) => {
    const images = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 10;
      labels[i] = label;
      for (let p = 0; p < 784; p++) images[i * 784 + p] = rng.int(40);
      const [r0, c0] = [2 + 2 * (label % 5), 4 + 12 * Math.floor(label / 5)];
      for (let r = r0; r < r0 + 8; r++) for (let c = c0; c < c0 + 8; c++) images[i * 784 + r * 28 + c] = 255;
    }
    return { images, labels, count, channels: 1 as const, rows: 28, cols: 28 };
  };
  await writeIdxDir(dataDir, { train: make(train), test: make(test), source: "synthetic" }, { gzip: true });
}
