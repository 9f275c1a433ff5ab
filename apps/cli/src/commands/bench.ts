/**
 * `resnet-ts bench`: times full training steps (forward, loss, backward, SGD update) of the d2l ResNet-18
 * on synthetic data after warm-up, and reports images/s, ms/step, effective GFLOP/s and peak RSS.
 */
import { getBackend } from "@resnet-ts/tensor";
import {
  benchStep,
  createModel,
  DEFAULT_CONFIG,
  estimateTrainingMemory,
  MODEL_NAMES,
  median,
  timeSteps,
  WASM_MAX_BYTES,
} from "@resnet-ts/trainer";
import type { Command } from "commander";
import { z } from "zod";
import { selectBackend } from "../backends.js";
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
  steps: z.coerce.number().int().min(1).max(10_000),
  warmup: z.coerce.number().int().min(0).max(100),
});

export function registerBench(program: Command, output: () => Output): void {
  program
    .command("bench")
    .description("time full training steps of a model (forward, backward, SGD update) on synthetic data")
    .option("--backend <name>", "backend to time (default: the fastest that works here)")
    .option("--batch-size <n>", "images per step", "64")
    .option("--resize <n>", "image side length (28 = Fashion-MNIST, 96 = d2l)", "28")
    .option("--image-size <n>", "the same as --resize (e.g. 224 for ImageNet-sized images)")
    .option("--channels <n>", "image channels (1 = Fashion-MNIST, 3 = RGB)", "1")
    .option("--model <name>", `architecture: ${MODEL_NAMES.join(", ")}`, "d2l-resnet18")
    .option("--steps <n>", "timed steps (the median is reported)", "5")
    .option("--warmup <n>", "untimed steps first", "1")
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(BenchOptions, raw);
      const out = output();
      const backend = await selectBackend(opts.backend);
      const { batchSize: b, channels: c } = opts;
      const h = opts.imageSize ?? opts.resize;
      const build = () =>
        createModel({ ...DEFAULT_CONFIG, model: opts.model }, { inChannels: c, numClasses: 10 });
      const model = build();
      const memory = estimateTrainingMemory(model, [c, h, h]);
      const largestBatch = memory.largestBatch(WASM_MAX_BYTES);
      // Counted on a separate instance: the count patches forward methods, which would slow this one down.
      const macs = forwardMacs(build(), [1, c, h, h]);
      out.info(
        `bench: ${opts.model} on backend ${backend}, batch ${b}, ${c}x${h}x${h}, ${opts.warmup} warm-up + ${opts.steps} timed steps`,
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
      const { step } = benchStep(model, { batchSize: b, channels: c, side: h });
      const msPerStep = median(await timeSteps(step, { warmup: opts.warmup, steps: opts.steps }));
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
      out.record(result);
    });
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
