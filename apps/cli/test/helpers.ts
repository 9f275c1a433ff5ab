/** Running the built `resnet-ts` binary in tests, and writing tiny IDX data sets and checkpoints for it. */
import { spawn } from "node:child_process";
import { bin, type Result } from "./run-cli.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeIdxDir } from "@resnet-ts/data/node";
import { writeFile } from "node:fs/promises";
import type { StateDict } from "@resnet-ts/layers";
import { createModel, DEFAULT_CONFIG, encodeSafetensors } from "@resnet-ts/trainer";
import { afterAll } from "vitest";

export { bin, cli, type Result } from "./run-cli.js";

/** Starts the CLI, sends SIGINT once its stderr matches `when`, and waits for it to exit. */
export function cliInterrupted(when: RegExp, ...args: string[]): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args]);
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b;
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

export const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A fresh directory, removed after the test file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "resnet-ts-cli-reliability-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Writes a tiny IDX data set of `size`x`size` images (class i%10: a bright square at its own place) to `dir`;
 * `badTrain` / `badTest` put the label 200 at that index.
 */
export async function writeData(
  dir: string,
  { size = 12, train = 32, test = 8, badTrain = -1, badTest = -1 } = {},
): Promise<string> {
  const make = (count: number, bad: number) => {
    const px = size * size;
    const images = new Uint8Array(count * px);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 10;
      labels[i] = label;
      const at = (label * 7) % (px - size - 2);
      for (let p = 0; p < px; p++) images[i * px + p] = (p * 31 + i * 17) % 60;
      for (const p of [at, at + 1, at + size, at + size + 1]) images[i * px + p] = 255;
    }
    if (bad >= 0) labels[bad] = 200;
    return { images, labels, count, channels: 1 as const, rows: size, cols: size };
  };
  await writeIdxDir(dir, { train: make(train, badTrain), test: make(test, badTest), source: "test" });
  return dir;
}

/**
 * Writes the state dict of a fresh d2l ResNet-18 with `classes` outputs (after `edit`) to `path`, as a plain
 * safetensors file without metadata (as PyTorch would write it).
 */
export async function writeModel(
  path: string,
  { classes = 10, edit }: { classes?: number; edit?: (dict: StateDict) => void } = {},
): Promise<string> {
  const dict = createModel(DEFAULT_CONFIG, { numClasses: classes }).stateDict();
  edit?.(dict);
  await writeFile(path, encodeSafetensors(dict));
  return path;
}
