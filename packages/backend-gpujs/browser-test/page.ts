/**
 * The browser page: runs every kernel parity case of @resnet-ts/kernel-tests, the small-network
 * check and a memory check on the gpujs modes named in `?modes=` (default webgl2) against the cpu
 * backend, then the automatic mode choice, and leaves the results in `window.__gpujsResults` for the
 * driver (test/browser.test.ts).
 */
import { compareKernel, compareTraining, kernelCases, smallNetwork } from "@resnet-ts/kernel-tests/core";
import { KERNEL_NAMES, setBackend } from "@resnet-ts/tensor";
import { type GpujsBackend, glRenderer } from "../src/index.js";
import { type BenchResult, benchTraining, resnet18, smallNet } from "../bench/steps.mjs";
import { GPU_SKIPPED_CASES } from "../test/gpujs-known.js";

export interface ModeResults {
  started: string | null;
  renderer: string;
  software: boolean;
  /** The mismatch messages of every case, by `"<kernel> [<case>]"` (skipped cases left out). */
  cases: Record<string, string[]>;
  /** compareTraining's report on the small network. */
  network: { mismatches: string[]; tensors: number; moved: number };
  memory: {
    handlesAfterOne: number;
    handlesAfterAll: number;
    buffersAfterOne: number;
    buffersAfterAll: number;
    steps: number;
  };
  seconds: number;
}

export interface PageResults {
  renderer: string;
  webgpuAdapter: boolean;
  modes: Record<string, ModeResults | { error: string }>;
  auto: string;
  bench?: (
    | (BenchResult & { backend: string; mode: string })
    | { backend: string; workload: string; error: string }
  )[];
}

const log = (line: string) => {
  const el = document.getElementById("log");
  if (el) el.textContent += `\n${line}`;
};

function renderer(): string {
  const gl = document.createElement("canvas").getContext("webgl2");
  return gl ? glRenderer(gl) : "no webgl2 context";
}

async function runMode(mode: string): Promise<ModeResults> {
  const t0 = performance.now();
  const name = `gpujs:${mode}`;
  const backend = (await setBackend(name)) as GpujsBackend;
  const started = backend.mode;
  const { renderer, software } = backend;
  await setBackend("cpu");
  const cases: ModeResults["cases"] = {};
  for (const kernel of KERNEL_NAMES) {
    for (const c of kernelCases(kernel)) {
      const key = `${kernel} [${c.name}]`;
      if (key in GPU_SKIPPED_CASES) continue;
      try {
        const found = await compareKernel(name, c);
        cases[key] = found.map((m) => m.message);
      } catch (error) {
        cases[key] = [`threw: ${(error as Error).message.slice(0, 300)}`];
      }
    }
  }
  log(`${name}: ${Object.keys(cases).length} kernel cases`);
  const network = await compareTraining(name, smallNetwork, { steps: 3 });
  await setBackend(name);
  const net = smallNetwork();
  const steps = 30;
  net.step().dispose();
  const one = backend.memory();
  for (let i = 1; i < steps; i++) net.step().dispose();
  await net.state.w1!.data();
  const all = backend.memory();
  net.dispose();
  await setBackend("cpu");
  log(`${name}: network and memory done`);
  return {
    started,
    renderer,
    software,
    cases,
    network,
    memory: {
      handlesAfterOne: one.handles,
      handlesAfterAll: all.handles,
      buffersAfterOne: one.buffers,
      buffersAfterAll: all.buffers,
      steps,
    },
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Training-step timings of the bench workloads on each named backend (`?bench=cpu,gpujs:webgl2`). */
async function runBench(backends: string[]): Promise<NonNullable<PageResults["bench"]>> {
  const rows: NonNullable<PageResults["bench"]> = [];
  for (const [make, size, batch, steps, label] of [
    [smallNet, 28, 16, 3, "small conv net 28x28"],
    [resnet18, 28, 8, 2, "ResNet-18 28x28"],
  ] as const) {
    for (const name of backends) {
      try {
        const backend = (await setBackend(name)) as GpujsBackend;
        const r = await benchTraining(make, size, batch, { steps });
        rows.push({ ...r, backend: name, mode: backend.mode ?? "-" });
        log(`${r.workload} ${name}: ${r.imagesPerSecond.toFixed(2)} img/s`);
      } catch (error) {
        rows.push({ backend: name, workload: label, error: String(error) });
      }
      await setBackend("cpu");
    }
  }
  return rows;
}

async function main(): Promise<PageResults> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const webgpuAdapter = Boolean(gpu && (await gpu.requestAdapter().catch(() => null)));
  const modes = (new URLSearchParams(location.search).get("modes") ?? "webgl2").split(",");
  const results: PageResults = { renderer: renderer(), webgpuAdapter, modes: {}, auto: "" };
  for (const mode of modes) {
    try {
      results.modes[mode] = await runMode(mode);
    } catch (error) {
      results.modes[mode] = { error: (error as Error).stack ?? String(error) };
    }
  }
  const auto = (await setBackend("gpujs")) as GpujsBackend;
  results.auto = auto.mode;
  const bench = new URLSearchParams(location.search).get("bench");
  if (bench) results.bench = await runBench(bench.split(","));
  return results;
}

main().then(
  (results) => {
    (window as unknown as { __gpujsResults: unknown }).__gpujsResults = results;
    log("done");
  },
  (error: Error) => {
    (window as unknown as { __gpujsResults: unknown }).__gpujsResults = {
      fatal: error.stack ?? String(error),
    };
  },
);
