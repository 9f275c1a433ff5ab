// End to end: runs the built `resnet-ts` binary (pnpm test builds first) on a tiny IDX data set.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { writeIdxDir } from "@resnet-ts/data/node";
import { Rng } from "@resnet-ts/tensor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "resnet-ts-cli-"));
  dataDir = join(dir, "idx");
  // A tiny learnable set: each class is a bright square at its own position.
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
  await writeIdxDir(dataDir, { train: make(80), test: make(40), source: "synthetic" }, { gzip: true });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe("resnet-ts", () => {
  it("summary --json lists the 8 stages and 11,178,378 parameters", async () => {
    const r = await cli("--json", "summary", "--input", "1,1,28,28");
    expect(r.code).toBe(0);
    const [result] = jsonLines(r.stdout);
    expect(result!.parameters).toBe(11_178_378);
    expect((result!.layers as { outputShape: number[] }[]).map((l) => l.outputShape)).toEqual([
      [1, 64, 7, 7],
      [1, 64, 7, 7],
      [1, 128, 4, 4],
      [1, 256, 2, 2],
      [1, 512, 1, 1],
      [1, 512, 1, 1],
      [1, 512],
      [1, 10],
    ]);
  });

  it("trains, writes a checkpoint, and eval reproduces the run's test accuracy", async () => {
    const out = join(dir, "run.safetensors");
    const r = await cli(
      "--json",
      "train",
      "--data",
      dataDir,
      "--batch-size",
      "16",
      "--epochs",
      "2",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(0, 2)) {
      expect(Object.keys(line).sort()).toEqual(
        ["epoch", "imagesPerSecond", "loss", "testAccuracy", "testLoss", "trainAccuracy"].sort(),
      );
      expect(Number.isFinite(line.loss)).toBe(true);
    }
    const final = lines[2]!;
    expect(final.checkpoint).toBe(out);
    expect(final.epoch).toBe(2);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(["run.safetensors", "run.train.safetensors"]));
    const e = await cli("--json", "eval", "--checkpoint", out, "--data", dataDir);
    expect(e.code, e.stderr).toBe(0);
    const [evaluation] = jsonLines(e.stdout);
    expect(evaluation!.examples).toBe(40);
    expect(evaluation!.accuracy).toBeCloseTo(final.testAccuracy as number, 6);
    expect(evaluation!.loss).toBeCloseTo(final.testLoss as number, 3);
    // Every backend gives the same evaluation of the same checkpoint (the run trained on wasm).
    for (const backend of ["cpu", "gpujs"]) {
      const b = await cli("--json", "eval", "--checkpoint", out, "--data", dataDir, "--backend", backend);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).toContain(backend);
      const [other] = jsonLines(b.stdout);
      expect(other!.accuracy, backend).toBe(evaluation!.accuracy);
      expect(other!.loss as number, backend).toBeCloseTo(evaluation!.loss as number, 4);
    }

    const p = await cli("--json", "predict", "--checkpoint", out, "--data", dataDir, "--limit", "3");
    expect(p.code, p.stderr).toBe(0);
    const predictions = jsonLines(p.stdout);
    expect(predictions).toHaveLength(4);
    const top = predictions[0]!.top as { probability: number }[];
    expect(top).toHaveLength(3);
    expect(top[0]!.probability).toBeGreaterThanOrEqual(top[1]!.probability);
    expect(predictions[3]).toMatchObject({ images: 3 });
  });

  it("--resume continues a stopped run with the uninterrupted run's losses", async () => {
    const common = ["--data", dataDir, "--batch-size", "16", "--no-eval", "--epochs", "2"];
    const straight = await cli(
      "--json",
      "train",
      ...common,
      "--steps",
      "8",
      "--out",
      join(dir, "a.safetensors"),
    );
    const half = await cli("--json", "train", ...common, "--steps", "4", "--out", join(dir, "b.safetensors"));
    expect(half.code, half.stderr).toBe(0);
    const resumed = await cli(
      "--json",
      "train",
      "--resume",
      join(dir, "b.safetensors"),
      "--steps",
      "8",
      "--data",
      dataDir,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const last = (r: Result) => jsonLines(r.stdout).at(-1)!;
    expect(last(resumed).steps).toBe(8);
    expect(last(resumed).loss).toBe(last(straight).loss);
    expect(last(resumed).trainAccuracy).toBe(last(straight).trainAccuracy);
  });

  it("trains a block variant (--block, --plain) and evaluates its checkpoint as that variant", async () => {
    const out = join(dir, "new-folder", "preact.safetensors"); // --out creates missing folders
    const common = ["--data", dataDir, "--batch-size", "16", "--steps", "2", "--test-limit", "16"];
    const r = await cli("--json", "train", ...common, "--block", "full-preact", "--plain", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const final = jsonLines(r.stdout).at(-1)!;
    const e = await cli("--json", "eval", "--checkpoint", out, "--data", dataDir, "--test-limit", "16");
    expect(e.code, e.stderr).toBe(0);
    expect(jsonLines(e.stdout)[0]!.accuracy).toBeCloseTo(final.testAccuracy as number, 6);
    const bad = await cli("train", "--block", "sideways");
    expect(bad.stderr).toMatch(/--block: must be one of original, bn-after-add/);
  });

  it("compare trains each variant on the same budget and writes a table and a chart", async () => {
    const out = join(dir, "compare");
    const r = await cli(
      "--json",
      "compare",
      "--variants",
      "original,plain",
      "--depth",
      "1",
      "--widths",
      "2,4,4",
      "--steps",
      "4",
      "--batch-size",
      "8",
      "--record-every",
      "2",
      "--data",
      dataDir,
      "--train-limit",
      "40",
      "--test-limit",
      "20",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const { runs } = jsonLines(r.stdout).at(-1) as { runs: { variant: string; finalLoss: number }[] };
    expect(runs.map((run) => run.variant)).toEqual(["original", "plain"]);
    expect(runs.every((run) => Number.isFinite(run.finalLoss))).toBe(true);
    expect(await readdir(out)).toEqual(expect.arrayContaining(["compare.json", "compare.svg"]));
  });

  it("rejects bad input with one line and a non-zero exit", async () => {
    const cases: [string[], RegExp][] = [
      [["train", "--lr", "-1"], /--lr: must be greater than 0 \(got -1\)/],
      [["train", "--batch-size", "abc"], /--batch-size: .*\(got "abc"\)/],
      [["train", "--bogus"], /unknown option '--bogus'/],
      [
        ["eval", "--checkpoint", join(dir, "missing.safetensors")],
        /--checkpoint: .*missing\.safetensors does not exist/,
      ],
      [["train", "--data", join(dir, "nowhere")], /nowhere/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr, args.join(" ")).not.toMatch(/\n\s+at /);
    }
  });

  it("names what is wrong with a corrupt checkpoint", async () => {
    const bad = join(dir, "bad.safetensors");
    await writeFile(bad, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    const r = await cli("eval", "--checkpoint", bad, "--data", dataDir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/header/i);
  });

  it("bench --json reports throughput and peak RSS", async () => {
    const r = await cli(
      "--json",
      "bench",
      "--backend",
      "cpu",
      "--batch-size",
      "2",
      "--steps",
      "1",
      "--warmup",
      "0",
    );
    expect(r.code, r.stderr).toBe(0);
    const [result] = jsonLines(r.stdout);
    expect(result).toMatchObject({ backend: "cpu", batchSize: 2, resize: 28 });
    expect(result!.imagesPerSecond).toBeGreaterThan(0);
    expect(result!.peakRssMB).toBeGreaterThan(0);
    expect(result!.forwardMacsPerImage).toBeGreaterThan(32e6);
  });
});
