/**
 * `resnet-ts compare`: a study of block variants at one or more depths over several seeds. Every run
 * (variant x depth x seed) trains on the same examples, and runs of one seed see the same batch order;
 * each finished run is saved in --out at once, so a study stopped with Ctrl-C continues where it was when
 * the same command is run again. At the end it prints a table (mean ± sd over seeds: final training loss,
 * test error, gradient norm per stage) and writes <name>.json and <name>.svg (loss curves, gradient norm
 * per stage on a log scale), named after --preset or "compare". With --jobs N, runs go to N child
 * processes of this same command.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { takeFirst } from "@resnet-ts/data";
import { loadData } from "@resnet-ts/data/node";
import { parseVariant, variantName } from "@resnet-ts/layers";
import {
  type PlannedRun,
  plannedRuns,
  type RecordedStudy,
  runKey,
  STUDY_PRESETS,
  type StudyDepth,
  type StudyPlan,
  type StudyPresetName,
  type StudyRun,
  summarize,
  type TrainingSettings,
} from "@resnet-ts/trainer";
import { type Command, Option } from "commander";
import { z } from "zod";
import { selectBackend } from "../backends.js";
import { childArgs } from "../compare/child-args.js";
import { studyChart, formatTable } from "../compare/report.js";
import { studyProgress, type StudyProgress } from "../compare/progress.js";
import { finishedKeys, loadRun, openStudy, removeTemporaries, saveRun } from "../compare/store.js";
import { layersOf, trainRun } from "../compare/train-run.js";
import { parseOptions } from "../options.js";
import { type Output, UsageError } from "../output.js";

const list = (s: string) =>
  s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

const DepthSchema = z.string().transform((s, ctx): StudyDepth => {
  if (s === "resnet18" || s === "resnet34") return s;
  const n = Number(s);
  if (Number.isInteger(n) && n >= 1) return n;
  ctx.addIssue({
    code: "custom",
    message: `expected resnet18, resnet34 or n >= 1 (CIFAR family, 6n+2 layers), got '${s}'`,
  });
  return z.NEVER;
});

const presetNames = Object.keys(STUDY_PRESETS) as StudyPresetName[];

const CompareOptions = z.object({
  preset: z.enum(presetNames as [StudyPresetName, ...StudyPresetName[]]).optional(),
  variants: z
    .string()
    .transform(list)
    .refine((v) => v.length > 0, "expected at least one variant")
    .transform((names, ctx) => {
      try {
        // Canonical names, so that "plain-original" and "plain" are one run.
        return [...new Set(names.map((n) => variantName(parseVariant(n))))];
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  depth: z
    .string()
    .transform(list)
    .pipe(
      z
        .array(DepthSchema, { error: "expected resnet18, resnet34 or n >= 1 (CIFAR family, 6n+2 layers)" })
        .min(1),
    ),
  seeds: z
    .string()
    .regex(/^\d+(,\d+)*$/, "expected comma-separated integers >= 0, e.g. 0,1")
    .transform((s) => [...new Set(s.split(",").map(Number))]),
  steps: z.coerce.number().int().min(1),
  batchSize: z.coerce.number().int().min(2),
  lr: z.coerce.number().positive(),
  trainLimit: z.coerce.number().int().min(1),
  testLimit: z.coerce.number().int().min(1),
  widths: z
    .string()
    .regex(/^\d+(,\d+)*$/, "expected comma-separated integers, e.g. 16,32,64")
    .transform((s) => s.split(",").map(Number)),
  resize: z.coerce.number().int().min(8).optional(),
  recordEvery: z.coerce.number().int().min(1),
  data: z.string().min(1),
  backend: z.string().min(1).optional(),
  jobs: z.coerce.number().int().min(1),
  out: z.string().min(1),
  child: z.boolean().optional(),
  reportOnly: z.boolean().optional(),
});
type CompareConfig = z.infer<typeof CompareOptions>;

/** The preset's value of each option, as the string its flag would take. */
function presetFlags(name: StudyPresetName): Record<string, string | undefined> {
  const p = STUDY_PRESETS[name];
  return {
    variants: p.variants.join(","),
    depth: p.depths.join(","),
    seeds: p.seeds.join(","),
    steps: String(p.steps),
    batchSize: String(p.batchSize),
    lr: String(p.lr),
    trainLimit: String(p.trainLimit),
    testLimit: String(p.testLimit),
    widths: p.widths.join(","),
    resize: p.resize === null ? undefined : String(p.resize),
    recordEvery: String(p.recordEvery),
    data: p.data,
  };
}

export function registerCompare(program: Command, output: () => Output): void {
  program
    .command("compare")
    .description(
      "train residual block variants and their plain twins over seeds; resumable; table + SVG chart",
    )
    .addOption(
      new Option(
        "--preset <name>",
        "the published study's settings (docs/compare); other flags given override them",
      ).choices(presetNames),
    )
    .option(
      "--variants <list>",
      "[plain-][bottleneck-]<arrangement>, comma-separated",
      "original,full-preact,plain",
    )
    .option(
      "--depth <list>",
      "resnet18, resnet34, or n for the CIFAR family (6n+2 layers), comma-separated",
      "3",
    )
    .option("--seeds <list>", "seeds (weights and batch order); each variant trains once per seed", "0")
    .option("--steps <n>", "optimizer steps per run", "200")
    .option("--batch-size <n>", "examples per step", "32")
    .option("--lr <x>", "SGD learning rate", "0.05")
    .option("--train-limit <n>", "training examples (the first n in file order, class-balanced)", "5000")
    .option("--test-limit <n>", "test examples (the first n in file order)", "1000")
    .option("--widths <list>", "stage widths of the CIFAR family", "16,32,64")
    .option("--resize <side>", "resize images to side x side (default: keep 28x28)")
    .option("--record-every <n>", "record gradient norms every n steps", "10")
    .option("--data <source>", '"fashion-mnist" or a directory of IDX files', "fashion-mnist")
    .option("--backend <name>", "tensor backend (default: the fastest that works here)")
    .option("--jobs <n>", "runs in parallel (child processes; each backend already uses every core)", "1")
    .option(
      "--out <dir>",
      "the study's folder: runs/ (one file per finished run, reused when resuming), <name>.json, <name>.svg",
      "compare-out",
    )
    .option(
      "--report-only",
      "train nothing: write the table and charts from the runs already in --out (e.g. while a study runs)",
    )
    .addOption(new Option("--child", "run as a --jobs worker: progress as JSON lines on stdout").hideHelp())
    .addHelpText(
      "after",
      `
Each run is saved in --out as soon as it finishes. Interrupted (Ctrl-C), the same command continues
with the runs not yet done; adding seeds or variants later reuses the runs already there. A folder
whose runs were trained with other settings (steps, batch size, ...) is refused.

Presets:
${presetNames.map((n) => `  ${n.padEnd(13)} ${STUDY_PRESETS[n].description}`).join("\n")}`,
    )
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const preset = raw.preset as StudyPresetName | undefined;
      const merged: Record<string, unknown> = { ...raw };
      if (preset) {
        for (const [key, value] of Object.entries(presetFlags(preset))) {
          if (command.getOptionValueSource(key) !== "cli") merged[key] = value;
        }
      }
      await runCompare(parseOptions(CompareOptions, merged), command.options, output());
    });
}

const trainingSettings = (c: CompareConfig): TrainingSettings => ({
  steps: c.steps,
  batchSize: c.batchSize,
  lr: c.lr,
  trainLimit: c.trainLimit,
  testLimit: c.testLimit,
  widths: c.widths,
  resize: c.resize ?? null,
  recordEvery: c.recordEvery,
  data: c.data,
});

const describeRun = (r: PlannedRun, layers: number) => `${r.variant} ${layers} layers seed ${r.seed}`;

async function runCompare(config: CompareConfig, flags: readonly Option[], out: Output): Promise<void> {
  const settings = trainingSettings(config);
  const plan: StudyPlan = { variants: config.variants, depths: config.depth, seeds: config.seeds };
  const planned = plannedRuns(plan);
  await openStudy(config.out, settings);
  if (!config.child) await removeTemporaries(config.out);
  const finished = await finishedKeys(config.out);
  const todo = planned.filter((r) => !finished.has(r.key));
  if (config.child) {
    await trainHere(config, settings, todo, childProgress());
    return;
  }
  const name = config.preset ?? "compare";
  if (config.reportOnly) {
    if (todo.length === planned.length) {
      throw new UsageError(
        `--report-only: none of the ${planned.length} planned runs is in ${join(config.out, "runs")} yet`,
      );
    }
    if (todo.length > 0)
      out.info(
        `--report-only: ${todo.length} of ${planned.length} runs not done yet: ${todo.map((r) => r.key).join(", ")}`,
      );
  } else if (todo.length < planned.length) {
    out.info(
      `${planned.length - todo.length} of ${planned.length} runs already in ${join(config.out, "runs")}; training the other ${todo.length}`,
    );
  }
  if (todo.length > 0 && !config.reportOnly) {
    out.info(
      `each run is saved in ${join(config.out, "runs")} when it finishes; if interrupted, run the same command to continue`,
    );
    const weight = (r: PlannedRun) => layersOf(settings, r);
    const progress = studyProgress(
      out.progressStream,
      planned.length,
      planned.length - todo.length,
      settings.steps,
      todo.reduce((a, r) => a + weight(r), 0),
    );
    try {
      if (config.jobs > 1 && todo.length > 1) await trainInChildren(config, flags, todo, progress, weight);
      else await trainHere(config, settings, todo, progress);
    } finally {
      progress.stop();
    }
  }
  const runs: StudyRun[] = [];
  for (const r of planned)
    if (finished.has(r.key) || !config.reportOnly) runs.push(await loadRun(config.out, r.key));
  const summaries = summarize(runs);
  const jsonPath = join(config.out, `${name}.json`);
  const svgPath = join(config.out, `${name}.svg`);
  const { out: _o, jobs: _j, child: _c, backend: _b, ...shown } = config;
  await writeFile(
    jsonPath,
    `${JSON.stringify({ settings: { ...shown, resize: settings.resize }, summaries, runs })}\n`,
  );
  await writeFile(svgPath, studyChart(summaries, settings.steps, settings.recordEvery));
  // The summaries alone (what the web app shows as the recorded results).
  const summaryPath = join(config.out, `${name}.summary.json`);
  const done = new Set(runs.map((r) => runKey(r.variant, r.depthSpec, r.seed)));
  const recorded: RecordedStudy = {
    name,
    settings,
    plan,
    summaries,
    missing: planned.filter((r) => !done.has(r.key)).map((r) => r.key),
  };
  await writeFile(summaryPath, `${JSON.stringify(recorded, rounded)}\n`);
  out.info(formatTable(summaries));
  out.info(`wrote ${jsonPath}, ${summaryPath} and ${svgPath}`);
  out.record({ summaries: summaries.map(({ meanLosses: _l, ...rest }) => rest) });
}

/** JSON replacer: numbers to 6 significant digits (the summary file stays small). */
const rounded = (_key: string, value: unknown) =>
  typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;

/** Trains `todo` in this process, saving each run as it finishes. */
async function trainHere(
  config: CompareConfig,
  settings: TrainingSettings,
  todo: readonly PlannedRun[],
  progress: StudyProgress,
): Promise<void> {
  if (todo.length === 0) return;
  await selectBackend(config.backend);
  const splits = await loadData(config.data);
  const train = takeFirst(splits.train, config.trainLimit);
  const test = takeFirst(splits.test, config.testLimit);
  for (const r of todo) {
    const layers = layersOf(settings, r);
    progress.start(r.key, describeRun(r, layers), layers);
    const run = await trainRun(settings, r, train, test, (step, loss) => progress.step(r.key, step, loss));
    await saveRun(config.out, r.key, run);
    progress.finish(r.key);
  }
}

/** A --child's progress: JSON lines on stdout for the parent. */
function childProgress(): StudyProgress {
  const line = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
  return {
    start: (key) => line({ key, event: "start" }),
    step: (key, step, loss) => line({ key, event: "step", step, loss }),
    finish: (key) => line({ key, event: "finish" }),
    stop: () => {},
  };
}

/** Runs each planned run in a child process (this command with --child), at most `jobs` at a time. */
async function trainInChildren(
  config: CompareConfig,
  flags: readonly Option[],
  todo: readonly PlannedRun[],
  progress: StudyProgress,
  weight: (r: PlannedRun) => number,
): Promise<void> {
  const at = process.argv.indexOf("compare");
  if (at < 0) throw new Error("compare --jobs: cannot find the 'compare' command in the process arguments");
  const prefix = [...process.execArgv, ...process.argv.slice(1, at + 1)];
  const children = new Set<ChildProcess>();
  const interrupt = (signal: NodeJS.Signals) => {
    for (const child of children) child.kill("SIGTERM");
    process.stderr.write(
      `\ncompare: ${signal}; finished runs are in ${join(config.out, "runs")}; run the same command to continue\n`,
    );
    process.exit(130);
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  let next = 0;
  let failure: Error | null = null;
  const worker = async () => {
    while (next < todo.length && !failure) {
      const r = todo[next++]!;
      const child = spawn(process.execPath, [...prefix, ...childArgs(flags, config, r)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.add(child);
      progress.start(r.key, describeRun(r, weight(r)), weight(r));
      createInterface({ input: child.stdout! }).on("line", (text) => {
        try {
          const msg = JSON.parse(text) as { event: string; step?: number; loss?: number };
          if (msg.event === "step") progress.step(r.key, msg.step!, msg.loss!);
        } catch {
          // Not a progress line (a backend's notice): ignored.
        }
      });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on("error", reject);
        child.on("exit", (c) => resolve(c));
      });
      children.delete(child);
      if (code !== 0) {
        failure ??= new Error(
          `compare: the run ${r.key} exited with ${code}; the finished runs are kept in ${config.out}`,
        );
        return;
      }
      progress.finish(r.key);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(config.jobs, todo.length) }, worker));
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
  if (failure) throw failure;
}
