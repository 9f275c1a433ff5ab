/**
 * The web app's backends in headless Chromium with WebGPU enabled (SwiftShader's adapter, on the CPU):
 * `gpujs:webgpu`, whose reads are asynchronous only, trains a small net with the Trainer and gives the
 * cpu backend's losses, accuracies and test predictions, and its download (the worker's checkpoint
 * encoder, reading asynchronously) holds the cpu backend's weights; and the measured backend choice, forced (no
 * hardware GPU here), times the training step on every usable backend and names the fastest, while
 * unforced it times nothing and the recommendation stays `wasm`. Skipped when Chromium is missing.
 */
import { fileURLToPath } from "node:url";
import { runBrowserPage, WEBGPU_FLAGS } from "@resnet-ts/browser-harness";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing } from "../scripts/browser.mjs";
import type { PageResults, TrainRun } from "./backend-train-page/page.js";

const missing = browserMissing();
if (missing) console.warn(`apps/web backend-train test skipped: ${missing}`);

const ROOT = fileURLToPath(new URL("./backend-train-page/", import.meta.url));
/** gpu.js's kernels match the cpu backend to ~2e-5 each (tooling/kernel-tests); a few SGD steps stay well inside this. */
const LOSS_TOLERANCE = 1e-4;

describe.skipIf(missing)("web backends in headless Chromium with WebGPU (SwiftShader)", () => {
  let results: PageResults & { fatal?: string };
  let pageErrors: string[];

  beforeAll(async () => {
    const page = await runBrowserPage(ROOT, {
      query: "train=cpu,gpujs:webgpu",
      isolated: true,
      extraFlags: WEBGPU_FLAGS,
      resultGlobal: "__backendTrainResults",
      timeoutMs: 400_000,
    });
    results = page.results as typeof results;
    pageErrors = page.pageErrors;
  }, 480_000);

  const run = (backend: string): TrainRun => {
    const r = results.runs.find((x) => x.backend === backend);
    if (!r || "error" in r) throw new Error(`${backend} did not train: ${r ? r.error : "no result"}`);
    return r;
  };

  it("ran the page", () => {
    expect(results.fatal).toBeUndefined();
    expect(pageErrors).toEqual([]);
    console.info(`probe: ${JSON.stringify(results.probe.options)}`);
  });

  it("offers gpujs:webgpu (a software adapter here) and keeps recommending wasm", () => {
    const webgpu = results.probe.options.find((o) => o.name === "gpujs:webgpu");
    expect(webgpu?.usable).toBe(true);
    expect(webgpu?.note).toMatch(/software renderer/);
    expect(results.probe.hardwareGpus).toEqual([]);
    expect(results.probe.recommended).toBe("wasm");
  });

  it("trains on gpujs:webgpu with the cpu backend's losses, accuracies and test predictions", () => {
    const cpu = run("cpu");
    const webgpu = run("gpujs:webgpu");
    console.info(`cpu ${cpu.seconds.toFixed(1)} s, gpujs:webgpu ${webgpu.seconds.toFixed(1)} s`);
    expect(cpu.losses).toHaveLength(4);
    expect(webgpu.losses).toHaveLength(cpu.losses.length);
    for (const [i, want] of cpu.losses.entries()) {
      expect(
        Math.abs(webgpu.losses[i]! - want),
        `step ${i + 1}: ${webgpu.losses[i]} vs ${want}`,
      ).toBeLessThan(LOSS_TOLERANCE * Math.max(1, Math.abs(want)));
    }
    // The net learns: the losses are not all the same.
    expect(new Set(cpu.losses).size).toBeGreaterThan(1);
    expect(webgpu.accuracies).toEqual(cpu.accuracies);
    expect(Math.abs(webgpu.testLoss! - cpu.testLoss!)).toBeLessThan(
      LOSS_TOLERANCE * Math.max(1, cpu.testLoss!),
    );
    expect(webgpu.testAccuracy).toBe(cpu.testAccuracy);
    expect(webgpu.predictions).toEqual(cpu.predictions);
  });

  it("downloads the gpujs:webgpu net as a checkpoint holding the cpu backend's weights", () => {
    const cpu = run("cpu").checkpoint;
    const webgpu = run("gpujs:webgpu").checkpoint;
    expect(webgpu.keys).toEqual(cpu.keys);
    expect(webgpu.batches).toBe("4");
    expect(cpu.batches).toBe("4");
    expect(webgpu.head).toHaveLength(8 * 4);
    for (const [i, want] of cpu.head.entries()) {
      expect(Math.abs(webgpu.head[i]! - want), `9.weight[${i}]`).toBeLessThan(LOSS_TOLERANCE);
    }
  });

  it("times nothing without a hardware GPU unless forced; forced, times every usable backend but cpu", () => {
    expect(results.candidates.unforced).toEqual([]);
    const usable = results.probe.options.filter((o) => o.usable && o.name !== "cpu").map((o) => o.name);
    expect(results.candidates.forced).toEqual(usable);
    expect(results.candidates.forced).toEqual(expect.arrayContaining(["gpujs:webgpu", "wasm"]));
    console.info(`timings: ${JSON.stringify(results.timings)}`);
    expect(results.timings.map((t) => t.name)).toEqual(results.candidates.forced);
    for (const t of results.timings) {
      expect(t.error, t.name).toBeNull();
      expect(t.imagesPerSecond, t.name).toBeGreaterThan(0);
      expect(t.msPerStep! * t.imagesPerSecond!).toBeCloseTo(8 * 1000, 3);
    }
    const best = Math.max(...results.timings.map((t) => t.imagesPerSecond!));
    expect(results.timings.find((t) => t.name === results.fastest)?.imagesPerSecond).toBe(best);
  });
});
