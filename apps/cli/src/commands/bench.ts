/**
 * `resnet-ts bench`: times full training steps (forward, loss, backward, SGD update) of the d2l ResNet-18
 * on synthetic data after warm-up, and reports images/s, ms/step, effective GFLOP/s and peak RSS;
 * `--backend all` times each backend that starts here and names the fastest.
 */
import { getBackend, listBackends } from "@resnet-ts/tensor";
import {
  benchStep,
  createModel,
  estimateTrainingMemory,
  MODEL_NAMES,
  median,
  timeSteps,
  WASM_MAX_BYTES,
} from "@resnet-ts/trainer";
import type { Module } from "@resnet-ts/layers";
import type { Command } from "commander";
import { z } from "zod";
import { selectBackend } from "../backends.js";
import { resolveFlags } from "../config-flags.js";
import { forwardMacs } from "../macs.js";
import { parseOptions } from "../options.js";
import { type Output, UsageError } from "../output.js";

const BenchOptions = z.object({
  backend: z.string().optional(),
  batchSize: z.coerce.number().int().min(1).max(4096),
  resize: z.coerce.number().int().min(8).max(512),
  imageSize: z.coerce.number().int().min(8).max(512).optional(),
  channels: z.coerce.number().int().min(1).max(16),
  model: z.enum(MODEL_NAMES),
  width: z.coerce.number().optional(),
  steps: z.coerce.number().int().min(1).max(10_000),
  warmup: z.coerce.number().int().min(0).max(100),
});

/** `--backend all`: every registered backend but the automatic `gpujs` (one of its `gpujs:<mode>` rows). */
const ALL_BACKENDS = "all";

type BenchOpts = z.infer<typeof BenchOptions>;

export function registerBench(program: Command, output: () => Output): void {
  program
    .command("bench")
    .description("time full training steps of a model (forward, backward, SGD update) on synthetic data")
    .option(
      "--backend <name>",
      `backend to time (default: the fastest that works here; "${ALL_BACKENDS}": each backend that starts here, compared)`,
    )
    .option("--batch-size <n>", "images per step", "64")
    .option("--resize <n>", "image side length (28 = Fashion-MNIST, 96 = d2l)", "28")
    .option("--image-size <n>", "the same as --resize (e.g. 224 for ImageNet-sized images)")
    .option("--channels <n>", "image channels (1 = Fashion-MNIST, 3 = RGB)", "1")
    .option("--model <name>", `architecture: ${MODEL_NAMES.join(", ")}`, "d2l-resnet18")
    .option("--width <f>", "d2l-resnet18: stage widths as a multiple of 64/128/256/512 (default 1)")
    .option("--steps <n>", "timed steps (the median is reported)", "5")
    .option("--warmup <n>", "untimed steps first", "1")
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(BenchOptions, raw);
      const out = output();
      if (opts.backend !== ALL_BACKENDS) {
        out.record(await benchBackend(opts, opts.backend, out));
        return;
      }
      const names = listBackends().filter((name) => name !== "gpujs");
      const rows: BenchRow[] = [];
      for (const name of names) {
        try {
          rows.push(await benchBackend(opts, name, out));
        } catch (error) {
          const message = (error as Error).message.split("\n")[0]!;
          out.info(`${name}: did not run: ${message}`);
          rows.push({ backend: name, error: message });
        }
        out.record(rows.at(-1)!);
      }
      const ran = rows.filter((r): r is BenchResult => "imagesPerSecond" in r);
      const fastest = ran.reduce<BenchResult | null>(
        (best, r) => (best === null || r.imagesPerSecond > best.imagesPerSecond ? r : best),
        null,
      );
      out.info(formatComparison(rows, fastest));
      out.record({
        fastest: fastest?.backend ?? null,
        imagesPerSecond: Object.fromEntries(ran.map((r) => [r.backend, r.imagesPerSecond])),
      });
    });
}

type BenchResult = Awaited<ReturnType<typeof benchBackend>>;
type BenchRow = BenchResult | { backend: string; error: string };

/** The comparison as a table of img/s and ms/step, the fastest named (a backend that did not run says why). */
function formatComparison(rows: readonly BenchRow[], fastest: BenchResult | null): string {
  const width = Math.max(7, ...rows.map((r) => r.backend.length));
  const lines = [`${"backend".padEnd(width)}  ${"img/s".padStart(9)}  ${"ms/step".padStart(9)}`];
  for (const r of rows) {
    lines.push(
      "error" in r
        ? `${r.backend.padEnd(width)}  did not run (${r.error})`
        : `${r.backend.padEnd(width)}  ${r.imagesPerSecond.toFixed(2).padStart(9)}  ${r.msPerStep.toFixed(1).padStart(9)}`,
    );
  }
  lines.push(fastest ? `fastest: ${fastest.backend}` : "fastest: none (no backend ran)");
  return lines.join("\n");
}

/** Starts `name` (the default when undefined) and times `opts`' training step on it. */
async function benchBackend(opts: BenchOpts, name: string | undefined, out: Output) {
  const backend = await selectBackend(name);
  const { batchSize: b, channels: c } = opts;
  const h = opts.imageSize ?? opts.resize;
  const config = resolveFlags({
    model: opts.model,
    ...(opts.width !== undefined ? { width: opts.width } : {}),
  });
  const build = () => createModel(config, { inChannels: c, numClasses: 10 });
  const model = build();
  try {
    const memory = estimateTrainingMemory(model, [c, h, h]);
    const largestBatch = memory.largestBatch(WASM_MAX_BYTES);
    // Counted on a separate instance (the count patches forward methods), freed at once so that its
    // weights do not hold heap space through the timed steps.
    const counted = build();
    const macs = forwardMacs(counted, [1, c, h, h]);
    disposeModel(counted);
    out.info(
      `bench: ${opts.model}${config.width === 1 ? "" : ` at width ${config.width}`} on backend ${backend}, batch ${b}, ${c}x${h}x${h}, ${opts.warmup} warm-up + ${opts.steps} timed steps`,
    );
    out.info(
      `memory: ~${(memory.bytesFor(b) / 1024 ** 2).toFixed(0)} MiB estimated for this batch; the largest batch that ` +
        `fits the 4 GiB WebAssembly heap at ${c}x${h}x${h} is ${largestBatch}`,
    );
    if (getBackend().name.startsWith("wasm") && b > largestBatch) {
      throw new UsageError(
        `--batch-size: ${b} does not fit the 4 GiB WebAssembly heap; at most ${largestBatch} does`,
      );
    }
    const bench = benchStep(model, { batchSize: b, channels: c, side: h });
    let msPerStep: number;
    try {
      msPerStep = median(await timeSteps(bench.step, { warmup: opts.warmup, steps: opts.steps }));
    } finally {
      bench.dispose();
    }
    const imagesPerSecond = (b * 1000) / msPerStep;
    // A training step costs about three forwards (forward, input gradient, weight gradient); 2 FLOPs per MAC.
    const gflops = (imagesPerSecond * macs * 3 * 2) / 1e9;
    const peakRssMB = process.resourceUsage().maxRSS / 1024;
    const heap = (getBackend() as { runtime?: { allocator?: { heapBytes: number } } }).runtime?.allocator
      ?.heapBytes;
    const result = {
      backend: getBackend().name,
      backendDetail: backend,
      model: opts.model,
      width: config.width,
      batchSize: b,
      resize: h,
      channels: c,
      largestBatch,
      estimatedMiB: round(memory.bytesFor(b) / 1024 ** 2, 0),
      imagesPerSecond: round(imagesPerSecond, 2),
      msPerStep: round(msPerStep, 1),
      effectiveGflops: round(gflops, 2),
      forwardMacsPerImage: macs,
      peakRssMB: round(peakRssMB, 0),
      wasmHeapMiB: heap === undefined ? null : round(heap / 1024 ** 2, 0),
    };
    out.info(
      `${result.imagesPerSecond} images/s, ${result.msPerStep} ms/step, ${result.effectiveGflops} GFLOP/s effective, ` +
        `peak RSS ${result.peakRssMB} MB${heap === undefined ? "" : `, wasm heap ${result.wasmHeapMiB} MiB`} (forward ${(macs / 1e6).toFixed(1)}M MACs/image)`,
    );
    return result;
  } finally {
    disposeModel(model);
  }
}

function disposeModel(model: Module): void {
  for (const t of [...model.parameters(), ...model.buffers()]) t.dispose();
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
