/**
 * `resnet-ts compare`: trains block variants (original, full-preact, plain, ...) at one or more depths on the
 * same data, seed and step budget, then prints a table (final training loss, test accuracy, the first block
 * stage's gradient norm, images/s) and writes compare.json and compare.svg (loss curves, gradient norm per
 * stage) to --out. With --jobs N the runs go to N child processes of this same command.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Dataset, takeFirst } from "@resnet-ts/data";
import { loadData } from "@resnet-ts/data/node";
import {
  cifarResnet,
  networkDepth,
  parseVariant,
  RESNET_DEPTHS,
  resnet,
  type Sequential,
  type VariantSpec,
  variantName,
} from "@resnet-ts/layers";
import { evaluate, trainForComparison } from "@resnet-ts/trainer";
import type { Command } from "commander";
import { z } from "zod";
import { selectBackend } from "../backends.js";
import { chartSvg, type Series } from "../chart/svg.js";
import { parseOptions } from "../options.js";
import type { Output } from "../output.js";

const list = (s: string) =>
  s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

type Depth = "resnet18" | "resnet34" | number;
const DepthSchema = z.string().transform((s, ctx): Depth => {
  if (s === "resnet18" || s === "resnet34") return s;
  const n = Number(s);
  if (Number.isInteger(n) && n >= 1) return n;
  ctx.addIssue({
    code: "custom",
    message: `expected resnet18, resnet34 or n >= 1 (CIFAR family, 6n+2 layers), got '${s}'`,
  });
  return z.NEVER;
});

const CompareOptions = z.object({
  variants: z
    .string()
    .transform(list)
    .refine((v) => v.length > 0, "expected at least one variant")
    .transform((names, ctx) => {
      try {
        return names.map(parseVariant);
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
  steps: z.coerce.number().int().min(1),
  batchSize: z.coerce.number().int().min(2),
  lr: z.coerce.number().positive(),
  trainLimit: z.coerce.number().int().min(1),
  testLimit: z.coerce.number().int().min(1),
  seed: z.coerce.number().int().min(0),
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
});
type CompareConfig = z.infer<typeof CompareOptions>;

/** One trained variant at one depth. */
export interface CompareRun {
  variant: string;
  /** The --depth value: a preset name or the CIFAR family's n. */
  depthSpec: Depth;
  /** Weighted layers on the main path. */
  layers: number;
  parameters: number;
  /** Training loss of every step. */
  losses: number[];
  /** Mean loss over the last 10% of steps. */
  finalLoss: number;
  testAccuracy: number;
  /** Stage names (top-level children with parameters) and their gradient norms averaged over the recorded steps. */
  stages: string[];
  gradNorms: number[];
  /** Gradient norm of the first block stage ("1"), averaged over the recorded steps. */
  lowerGradNorm: number;
  imagesPerSecond: number;
}

export function registerCompare(program: Command, output: () => Output): void {
  program
    .command("compare")
    .description("train residual block variants and their plain twins side by side; table + SVG chart")
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
    .option("--steps <n>", "optimizer steps per run", "200")
    .option("--batch-size <n>", "examples per step", "32")
    .option("--lr <x>", "SGD learning rate", "0.05")
    .option("--train-limit <n>", "training examples (the first n in file order, class-balanced)", "5000")
    .option("--test-limit <n>", "test examples (the first n in file order)", "1000")
    .option("--seed <n>", "seed of the weights and of the batch order", "0")
    .option("--widths <list>", "stage widths of the CIFAR family", "16,32,64")
    .option("--resize <side>", "resize images to side x side (default: keep 28x28)")
    .option("--record-every <n>", "record gradient norms every n steps", "10")
    .option("--data <source>", '"fashion-mnist" or a directory of IDX files', "fashion-mnist")
    .option("--backend <name>", "tensor backend (default: the fastest that works here)")
    .option("--jobs <n>", "runs in parallel (child processes)", "1")
    .option("--out <dir>", "where compare.json and compare.svg go", "compare-out")
    .action(async (raw: Record<string, unknown>) => {
      const config = parseOptions(CompareOptions, raw);
      const out = output();
      const pairs = config.depth.flatMap((depth) => config.variants.map((spec) => ({ spec, depth })));
      const runs =
        config.jobs > 1 && pairs.length > 1
          ? await runInChildren(config, pairs, out)
          : await runHere(config, pairs, out);
      await mkdir(config.out, { recursive: true });
      const { out: _, jobs: __, ...settings } = config;
      const settingsJson = { ...settings, variants: config.variants.map(variantName) };
      await writeFile(
        join(config.out, "compare.json"),
        `${JSON.stringify({ settings: settingsJson, runs }, null, 1)}\n`,
      );
      await writeFile(join(config.out, "compare.svg"), chart(runs, config));
      out.info(formatTable(runs));
      out.info(`wrote ${join(config.out, "compare.json")} and ${join(config.out, "compare.svg")}`);
      out.record({ runs: runs.map(({ losses: _l, ...rest }) => rest) });
    });
}

async function runHere(
  config: CompareConfig,
  pairs: { spec: VariantSpec; depth: Depth }[],
  out: Output,
): Promise<CompareRun[]> {
  await selectBackend(config.backend);
  const splits = await loadData(config.data);
  const train = takeFirst(splits.train, config.trainLimit);
  const test = takeFirst(splits.test, config.testLimit);
  const runs: CompareRun[] = [];
  for (const { spec, depth } of pairs) {
    const run = await trainOne(config, spec, depth, train, test, (msg) => out.info(msg));
    out.info(
      `${run.variant} (${run.layers} layers): loss ${run.finalLoss.toFixed(3)}, test acc ${run.testAccuracy.toFixed(3)}`,
    );
    runs.push(run);
  }
  return runs;
}

/** Runs each (variant, depth) in a child process running this command with --jobs 1, at most `jobs` at a time. */
async function runInChildren(
  config: CompareConfig,
  pairs: { spec: VariantSpec; depth: Depth }[],
  out: Output,
): Promise<CompareRun[]> {
  const at = process.argv.indexOf("compare");
  if (at < 0) throw new Error("compare --jobs: cannot find the 'compare' command in the process arguments");
  const prefix = [...process.execArgv, ...process.argv.slice(1, at + 1)];
  const scratch = await mkdtemp(join(tmpdir(), "resnet-ts-compare-"));
  try {
    const results: CompareRun[][] = new Array(pairs.length);
    let next = 0;
    const worker = async () => {
      while (next < pairs.length) {
        const i = next++;
        const { spec, depth } = pairs[i]!;
        const dir = join(scratch, String(i));
        const args = [...prefix, ...childArgs(config, variantName(spec), String(depth), dir)];
        out.info(`started ${variantName(spec)} at depth ${depth}`);
        await new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
          child.on("error", reject);
          child.on("exit", (code) =>
            code === 0
              ? resolve()
              : reject(
                  new Error(`compare: the run of ${variantName(spec)} at depth ${depth} exited with ${code}`),
                ),
          );
        });
        results[i] = (
          JSON.parse(await readFile(join(dir, "compare.json"), "utf8")) as { runs: CompareRun[] }
        ).runs;
        out.info(`finished ${variantName(spec)} at depth ${depth}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.jobs, pairs.length) }, worker));
    return results.flat();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function childArgs(config: CompareConfig, variant: string, depth: string, dir: string): string[] {
  const args = ["--variants", variant, "--depth", depth, "--jobs", "1", "--out", dir];
  const pass = {
    steps: config.steps,
    "batch-size": config.batchSize,
    lr: config.lr,
    "train-limit": config.trainLimit,
    "test-limit": config.testLimit,
    seed: config.seed,
    widths: config.widths.join(","),
    "record-every": config.recordEvery,
    data: config.data,
    ...(config.backend ? { backend: config.backend } : {}),
    ...(config.resize ? { resize: config.resize } : {}),
  };
  for (const [k, v] of Object.entries(pass)) args.push(`--${k}`, String(v));
  return args;
}

function build(
  config: CompareConfig,
  spec: VariantSpec,
  depth: Depth,
): { model: Sequential; layers: number } {
  if (typeof depth === "number") {
    return {
      model: cifarResnet({ ...spec, n: depth, widths: config.widths, seed: config.seed }),
      layers: networkDepth(
        spec.block,
        config.widths.map(() => depth),
      ),
    };
  }
  const depths = RESNET_DEPTHS[depth];
  return { model: resnet({ ...spec, depths, seed: config.seed }), layers: networkDepth(spec.block, depths) };
}

async function trainOne(
  config: CompareConfig,
  spec: VariantSpec,
  depth: Depth,
  train: Dataset,
  test: Dataset,
  progress: (msg: string) => void,
): Promise<CompareRun> {
  const { model, layers } = build(config, spec, depth);
  const run = await trainForComparison(model, train, {
    ...config,
    label: variantName(spec),
    onStep: (step, loss) =>
      void (
        step % 50 === 0 &&
        progress(`  ${variantName(spec)} depth ${depth}: step ${step}, loss ${loss.toFixed(3)}`)
      ),
  });
  const evaluation = await evaluate(model, test, { resize: config.resize ?? null });
  return {
    variant: variantName(spec),
    depthSpec: depth,
    layers,
    parameters: model.numParameters(),
    losses: run.losses,
    finalLoss: run.finalLoss,
    testAccuracy: evaluation.accuracy,
    stages: run.stages,
    gradNorms: run.gradNorms,
    lowerGradNorm: run.gradNorms[run.stages.indexOf("1")] ?? Number.NaN,
    imagesPerSecond: run.imagesPerSecond,
  };
}

export function formatTable(runs: readonly CompareRun[]): string {
  const header = [
    "variant",
    "layers",
    "params",
    "final train loss",
    "test acc",
    "stage-1 grad norm",
    "images/s",
  ];
  const rows = runs.map((r) => [
    r.variant,
    String(r.layers),
    String(r.parameters),
    r.finalLoss.toFixed(4),
    r.testAccuracy.toFixed(4),
    r.lowerGradNorm.toFixed(4),
    r.imagesPerSecond.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

/** Moving mean over `window` steps, as (step, loss) points. */
function smooth(losses: readonly number[], window: number): [number, number][] {
  const points: [number, number][] = [];
  let sum = 0;
  losses.forEach((v, i) => {
    sum += v - (i >= window ? losses[i - window]! : 0);
    if (i + 1 >= window) points.push([i + 1, sum / window]);
  });
  return points;
}

function chart(runs: readonly CompareRun[], config: CompareConfig): string {
  const label = (r: CompareRun) => `${r.variant} (${r.layers} layers)`;
  const window = Math.max(1, Math.min(config.recordEvery * 2, Math.floor(config.steps / 5)));
  const lossSeries: Series[] = runs.map((r) => ({
    name: label(r),
    points: smooth(r.losses, window),
    dashed: r.variant.startsWith("plain"),
  }));
  const stageNames = [...new Set(runs.flatMap((r) => r.stages))].sort((a, b) => Number(a) - Number(b));
  const gradSeries: Series[] = runs.map((r) => ({
    name: label(r),
    points: r.stages.map((s, i): [number, number] => [stageNames.indexOf(s), r.gradNorms[i]!]),
    dashed: r.variant.startsWith("plain"),
  }));
  return chartSvg([
    {
      title: `Training loss (mean of ${window} steps)`,
      xLabel: "step",
      yLabel: "cross-entropy",
      series: lossSeries,
    },
    {
      title: "Gradient norm per stage (mean over recorded steps)",
      xLabel: "stage (0 = stem, last = classifier)",
      yLabel: "L2 norm of the stage's gradients",
      series: gradSeries,
      logY: true,
      xTickLabels: stageNames,
    },
  ]);
}
