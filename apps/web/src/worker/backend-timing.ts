/**
 * The measured backend choice: before training with the automatic backend, where a hardware GPU is
 * present (or the page asks with `?measure-backends`), the worker times a few training steps of the
 * model to train, at the run's image size and batch, on each candidate backend, and trains on the
 * fastest — instead of assuming that a GPU beats WebAssembly. The figures go to the page.
 */
import type { Module } from "@resnet-ts/layers";
import { getBackend, setBackend } from "@resnet-ts/tensor";
import { benchStep, median, timeSteps } from "@resnet-ts/trainer";
import type { BackendTiming } from "../protocol.js";
import { activateBackend, type BackendProbe } from "./backend-choice.js";

export interface TimingOptions {
  batchSize: number;
  channels: number;
  /** Image side length. */
  side: number;
  /** The model's classes (the synthetic labels' range). */
  classes: number;
  /** Builds the model to time (on the backend being timed). */
  build: () => Module;
  /** Untimed steps first (kernel compiles, heap growth; default 1). */
  warmup?: number;
  /** Timed steps (default 2; fewer once they took `maxSeconds`, default 10). */
  steps?: number;
  maxSeconds?: number;
}

/**
 * The backends to time: the usable ones but the reference `cpu` (a hundred times slower than wasm), and
 * without a software GPU unless `force` (a test's flag: on SwiftShader every GPU mode is a software one).
 * Empty when there is nothing to decide: no hardware GPU and no `force`.
 */
export function timingCandidates(probe: BackendProbe, force: boolean): string[] {
  if (!force && probe.hardwareGpus.length === 0) return [];
  return probe.options
    .filter((o) => o.usable && o.name !== "cpu")
    .filter((o) => force || !o.name.startsWith("gpujs:") || probe.hardwareGpus.includes(o.name))
    .map((o) => o.name);
}

/** The fastest of `timings` (null when none ran). */
export function fastestOf(timings: readonly BackendTiming[]): string | null {
  let best: BackendTiming | null = null;
  for (const t of timings) {
    if (t.imagesPerSecond !== null && (best === null || t.imagesPerSecond > best.imagesPerSecond!)) best = t;
  }
  return best?.name ?? null;
}

/**
 * Times `options`' training step on each of `names` (a backend that fails to start or to step is
 * reported with its error); the backend active before is active again afterwards.
 */
export async function timeBackends(
  names: readonly string[],
  options: TimingOptions,
): Promise<BackendTiming[]> {
  const before = getBackend().name;
  const timings: BackendTiming[] = [];
  try {
    for (const name of names) timings.push(await timeOne(name, options));
  } finally {
    await setBackend(before);
  }
  return timings;
}

async function timeOne(name: string, options: TimingOptions): Promise<BackendTiming> {
  const { batchSize, channels, side, classes } = options;
  let model: Module | null = null;
  let bench: ReturnType<typeof benchStep> | null = null;
  try {
    await activateBackend(name, []);
    model = options.build();
    bench = benchStep(model, { batchSize, channels, side, classes });
    const times = await timeSteps(bench.step, {
      warmup: options.warmup ?? 1,
      steps: options.steps ?? 2,
      maxSeconds: options.maxSeconds ?? 10,
    });
    const ms = median(times);
    return { name, imagesPerSecond: (batchSize * 1000) / ms, msPerStep: ms, error: null };
  } catch (error) {
    return { name, imagesPerSecond: null, msPerStep: null, error: (error as Error).message };
  } finally {
    bench?.dispose();
    for (const t of model ? [...model.parameters(), ...model.buffers()] : []) t.dispose();
  }
}
