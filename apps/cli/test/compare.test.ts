// End to end: `resnet-ts compare` over seeds, resumed after an interruption, on a tiny IDX data set.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, cli, jsonLines, writeTinyIdx } from "./run-cli.js";

let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "resnet-ts-compare-"));
  dataDir = join(dir, "idx");
  await writeTinyIdx(dataDir);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

interface Run {
  variant: string;
  seed: number;
  losses: number[];
  finalLoss: number;
  testAccuracy: number;
  gradNorms: number[];
}
interface Summary {
  variant: string;
  seeds: number[];
  finalLoss: { mean: number; sd: number };
  testError: { mean: number };
  gradNorms: { mean: number }[];
}

const study = (out: string, ...extra: string[]) => [
  "compare",
  "--variants",
  "original,plain",
  "--depth",
  "1",
  "--widths",
  "2,4,4",
  "--steps",
  "6",
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
  ...extra,
];

/** The finished runs' files (not the temporary ones of a run being saved). */
const runFiles = async (out: string) =>
  (await readdir(join(out, "runs"))).filter((f) => f.endsWith(".json")).sort();
const readStudy = async (out: string) =>
  JSON.parse(await readFile(join(out, "compare.json"), "utf8")) as { runs: Run[]; summaries: Summary[] };
const mtimes = async (out: string) =>
  Object.fromEntries(
    await Promise.all(
      (await runFiles(out)).map(async (f) => [f, (await stat(join(out, "runs", f))).mtimeMs] as const),
    ),
  );

/** Starts the CLI, sends SIGINT once `ready()` holds, and resolves with the exit code. */
function interrupted(args: string[], ready: () => Promise<boolean>): Promise<number | null> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: "ignore" });
  const poll = setInterval(async () => {
    if (await ready().catch(() => false)) {
      clearInterval(poll);
      child.kill("SIGINT");
    }
  }, 10);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      resolve(code ?? (signal === "SIGINT" ? 130 : null));
    }),
  );
}

describe("resnet-ts compare", () => {
  let straight: { runs: Run[]; summaries: Summary[] };

  it("trains each variant once per seed and summarises them over the seeds", async () => {
    const out = join(dir, "straight");
    const r = await cli("--json", ...study(out, "--seeds", "0,1"));
    expect(r.code, r.stderr).toBe(0);
    straight = await readStudy(out);
    expect(straight.runs.map((x) => `${x.variant}/${x.seed}`)).toEqual([
      "original/0",
      "plain/0",
      "original/1",
      "plain/1",
    ]);
    const [orig, plain] = straight.summaries;
    expect(orig!.seeds).toEqual([0, 1]);
    const origRuns = straight.runs.filter((x) => x.variant === "original");
    expect(orig!.finalLoss.mean).toBeCloseTo((origRuns[0]!.finalLoss + origRuns[1]!.finalLoss) / 2, 12);
    expect(orig!.testError.mean).toBeCloseTo(
      1 - (origRuns[0]!.testAccuracy + origRuns[1]!.testAccuracy) / 2,
      12,
    );
    expect(orig!.gradNorms[1]!.mean).toBeCloseTo(
      (origRuns[0]!.gradNorms[1]! + origRuns[1]!.gradNorms[1]!) / 2,
      12,
    );
    // Two seeds differ in weights and batch order.
    expect(origRuns[0]!.losses).not.toEqual(origRuns[1]!.losses);
    expect(plain!.variant).toBe("plain");
    const { summaries } = jsonLines(r.stdout).at(-1) as { summaries: Summary[] };
    expect(summaries.map((s) => s.variant)).toEqual(["original", "plain"]);
    expect(await readdir(out)).toEqual(
      expect.arrayContaining(["compare.json", "compare.summary.json", "compare.svg", "study.json"]),
    );
    const recorded = JSON.parse(await readFile(join(out, "compare.summary.json"), "utf8"));
    expect(recorded.plan).toEqual({ variants: ["original", "plain"], depths: [1], seeds: [0, 1] });
    expect(recorded.summaries[0].finalLoss.mean).toBeCloseTo(orig!.finalLoss.mean, 5);
    const svg = await readFile(join(out, "compare.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("mean of 2 seeds");
  });

  it("adding seeds later reuses the finished runs and gives the same results", async () => {
    const out = join(dir, "grown");
    expect((await cli(...study(out, "--seeds", "0"))).code).toBe(0);
    const before = await mtimes(out);
    expect(Object.keys(before)).toEqual(["original_d1_s0.json", "plain_d1_s0.json"]);
    const r = await cli(...study(out, "--seeds", "0,1"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2 of 4 runs already in");
    const after = await mtimes(out);
    for (const [file, time] of Object.entries(before)) expect(after[file], file).toBe(time);
    expect(Object.keys(after)).toHaveLength(4);
    expect((await readStudy(out)).runs).toEqual(
      straight.runs.map((x) => expect.objectContaining({ ...x, imagesPerSecond: expect.any(Number) })),
    );
  });

  it.each([
    ["in this process", []],
    ["in --jobs child processes", ["--jobs", "2"]],
  ])("after Ctrl-C %s, the same command trains only the runs not yet done", async (_, extra) => {
    const out = join(dir, `interrupted-${extra.length}`);
    // Six runs, so that some are left when the first is saved.
    const args = [...study(out, "--seeds", "0,1", "--variants", "original,plain,full-preact"), ...extra];
    const code = await interrupted(args, async () => (await runFiles(out)).length >= 1);
    expect(code).toBe(130);
    const before = await mtimes(out);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(before).length).toBeLessThan(6);
    // Resumed without --jobs: the runs' files are the same either way.
    const r = await cli(...study(out, "--seeds", "0,1", "--variants", "original,plain,full-preact"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${Object.keys(before).length} of 6 runs already in`);
    const after = await mtimes(out);
    for (const [file, time] of Object.entries(before)) expect(after[file], file).toBe(time);
    // A run killed while being saved leaves no temporary file behind once resumed.
    expect((await readdir(join(out, "runs"))).filter((f) => !f.endsWith(".json"))).toEqual([]);
    // The same results as the study that was never interrupted.
    const resumed = (await readStudy(out)).runs.filter((x) => x.variant !== "full-preact");
    expect(resumed.map((x) => x.losses)).toEqual(straight.runs.map((x) => x.losses));
    expect(resumed.map((x) => x.testAccuracy)).toEqual(straight.runs.map((x) => x.testAccuracy));
  });

  it("--report-only summarises the finished runs without training, naming the missing ones", async () => {
    const out = join(dir, "grown");
    const r = await cli(...study(out, "--seeds", "0,1,2", "--report-only"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2 of 6 runs not done yet: original_d1_s2, plain_d1_s2");
    expect(await runFiles(out)).toHaveLength(4);
    const recorded = JSON.parse(await readFile(join(out, "compare.summary.json"), "utf8"));
    expect(recorded.missing).toEqual(["original_d1_s2", "plain_d1_s2"]);
    expect(recorded.summaries[0].seeds).toEqual([0, 1]);
    const none = await cli(...study(join(dir, "empty"), "--report-only"));
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/--report-only: none of the 2 planned runs/);
  });

  it("refuses to resume a folder trained with other settings, naming them", async () => {
    const out = join(dir, "grown");
    const r = await cli(...study(out, "--seeds", "0", "--steps", "7", "--lr", "0.1"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /holds runs trained with other settings \(--steps 6 there, 7 now; --lr 0.05 there, 0.1 now\)/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("takes a preset's settings, letting flags given override them", async () => {
    const r = await cli(
      "compare",
      "--preset",
      "depth",
      "--data",
      join(dir, "nowhere"),
      "--out",
      join(dir, "preset"),
    );
    expect(r.code).not.toBe(0);
    // The preset's settings were recorded before the data was read.
    const settings = JSON.parse(await readFile(join(dir, "preset", "study.json"), "utf8"));
    expect(settings).toMatchObject({ widths: [16, 32, 64], resize: null, data: join(dir, "nowhere") });
    const bad = await cli("compare", "--preset", "sideways");
    expect(bad.stderr).toMatch(/--preset.*sideways/);
  });
});
