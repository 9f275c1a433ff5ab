// End to end: runs the built `resnet-ts` binary (pnpm test builds first) on a tiny IDX data set.
// The multi-process tests (several CLI runs each) get 4 minutes: on a loaded 2-core machine they took over 60 s.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCheckpoint } from "@resnet-ts/trainer/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, jsonLines, type Result, writeTinyIdx } from "./run-cli.js";

let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "resnet-ts-cli-"));
  dataDir = join(dir, "idx");
  await writeTinyIdx(dataDir);
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
    const tta = await cli("--json", "eval", "--checkpoint", out, "--data", dataDir, "--tta", "flip");
    expect(tta.code, tta.stderr).toBe(0);
    expect(tta.stderr).toContain("test-time augmentation flip");
    expect(jsonLines(tta.stdout)[0]!.loss).not.toBeCloseTo(evaluation!.loss as number, 4);
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
  }, 240_000);

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
  }, 240_000);

  it("trains an arrangement (--arrangement, --plain) and evaluates its checkpoint as that variant", async () => {
    const out = join(dir, "new-folder", "preact.safetensors"); // --out creates missing folders
    const common = ["--data", dataDir, "--batch-size", "16", "--steps", "2", "--test-limit", "16"];
    const r = await cli(
      "--json",
      "train",
      ...common,
      "--arrangement",
      "full-preact",
      "--plain",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/deprecated/);
    const final = jsonLines(r.stdout).at(-1)!;
    const e = await cli("--json", "eval", "--checkpoint", out, "--data", dataDir, "--test-limit", "16");
    expect(e.code, e.stderr).toBe(0);
    expect(jsonLines(e.stdout)[0]!.accuracy).toBeCloseTo(final.testAccuracy as number, 6);
    const bad = await cli("train", "--arrangement", "sideways");
    expect(bad.stderr).toMatch(/--arrangement: must be one of original, bn-after-add/);
  });

  it("--block still sets the arrangement, with a one-line deprecation warning naming --arrangement", async () => {
    const out = join(dir, "old-flag.safetensors");
    const args = ["--data", dataDir, "--batch-size", "16", "--steps", "1", "--no-eval", "--out", out];
    const r = await cli("--json", "train", ...args, "--block", "relu-preact");
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split("\n").filter((line) => line.includes("deprecated"));
    expect(warnings).toEqual(["warning: --block is deprecated, use --arrangement"]);
    expect(r.stdout).not.toMatch(/deprecated/);
    expect((await loadCheckpoint(out, { training: false })).info.config?.arrangement).toBe("relu-preact");
    const bad = await cli("train", "--block", "sideways");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--arrangement: must be one of original, .* \(got "sideways"\)/);
    const both = await cli("train", "--block", "original", "--arrangement", "full-preact");
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--block is the deprecated name of --arrangement: give --arrangement only/);
    const help = await cli("train", "--help");
    expect(help.stdout).toMatch(/--arrangement <name>\s+residual\s+arrangement\s+\(He/);
    expect(help.stdout).not.toMatch(/--block/);
  });

  it("the schedule, optimizer and loss flags reach the run's config (stored in its checkpoint)", async () => {
    const out = join(dir, "knobs.safetensors");
    const base = [
      "train",
      "--data",
      dataDir,
      "--batch-size",
      "16",
      "--steps",
      "2",
      "--no-eval",
      "--epochs",
      "3",
    ];
    const flags = {
      "--momentum": "0.8",
      "--dampening": "0.1",
      "--weight-decay": "0.001",
      "--schedule": "cosine",
      "--eta-min": "0.002",
      "--warmup-epochs": "0.5",
      "--warmup-start-factor": "0.2",
      "--label-smoothing": "0.15",
      "--random-erasing": "0.25",
      "--step-size": "2",
      "--gamma": "0.5",
      "--pct-start": "0.4",
      "--div-factor": "10",
      "--final-div-factor": "100",
      "--tta": "flip",
    };
    const r = await cli(...base, ...Object.entries(flags).flat(), "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/augment none, random erasing 0\.25, normalize/);
    const { info } = await loadCheckpoint(out, { training: false });
    expect(info.config).toMatchObject({
      momentum: 0.8,
      dampening: 0.1,
      weightDecay: 0.001,
      schedule: "cosine",
      etaMin: 0.002,
      warmupEpochs: 0.5,
      warmupStartFactor: 0.2,
      labelSmoothing: 0.15,
      randomErasing: 0.25,
      stepSize: 2,
      gamma: 0.5,
      pctStart: 0.4,
      divFactor: 10,
      finalDivFactor: 100,
      tta: "flip",
    });
    const fast = await cli(...base, "--preset", "fast", "--label-smoothing", "0", "--out", out);
    expect(fast.code, fast.stderr).toBe(0);
    const preset = (await loadCheckpoint(out, { training: false })).info.config;
    expect(preset).toMatchObject({ preset: "fast", schedule: "onecycle", nesterov: true, labelSmoothing: 0 });
  });

  it("rejects bad schedule and loss flags, naming the flag", async () => {
    const cases: [string[], RegExp][] = [
      [["train", "--label-smoothing", "1.5"], /--label-smoothing: must be between 0 and 1 \(got 1\.5\)/],
      [["train", "--random-erasing", "-0.1"], /--random-erasing: must be between 0 and 1 \(got -0\.1\)/],
      [
        ["train", "--schedule", "onecycle", "--epochs", "2", "--warmup-epochs", "1"],
        /--warmup-epochs: must be 0 with the onecycle schedule/,
      ],
      [["train", "--schedule", "linear"], /--schedule: must be one of constant, step, cosine, onecycle/],
      [["train", "--tta", "crop"], /--tta: must be one of none, flip/],
      [["eval", "--checkpoint", "x.safetensors", "--tta", "crop"], /--tta: must be one of none, flip/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
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

  it("bench --backend all times each backend that starts here and names the fastest", async () => {
    const r = await cli(
      "--json",
      "bench",
      "--backend",
      "all",
      "--batch-size",
      "2",
      "--resize",
      "8",
      "--steps",
      "1",
      "--warmup",
      "0",
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const summary = lines.at(-1)!;
    const rows = lines.slice(0, -1);
    const ran = rows.filter((row) => typeof row.imagesPerSecond === "number");
    // The backends that always start in Node; gpujs's GL modes need a GL context and may not.
    expect(ran.map((row) => row.backend)).toEqual(expect.arrayContaining(["cpu", "wasm", "gpujs:webasm"]));
    expect(rows.map((row) => row.backend)).not.toContain("gpujs");
    for (const row of rows) expect(row.error ?? row.imagesPerSecond, String(row.backend)).toBeTruthy();
    const rates = Object.fromEntries(ran.map((row) => [row.backend, row.imagesPerSecond as number]));
    expect(summary.imagesPerSecond).toEqual(rates);
    expect(rates[summary.fastest as string]).toBe(
      Math.max(...ran.map((row) => row.imagesPerSecond as number)),
    );
    expect(r.stderr).toMatch(new RegExp(`fastest: ${summary.fastest}\\n?`));
    expect(r.stderr).toMatch(/backend\s+img\/s\s+ms\/step/);
  }, 240_000);
});
