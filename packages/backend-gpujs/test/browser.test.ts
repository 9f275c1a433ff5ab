/**
 * Proof in a real browser: bundles browser-test/page.ts, serves it on localhost and runs it in
 * headless Chromium, where every kernel parity case of @resnet-ts/kernel-tests, the small-network
 * check and the memory check run on gpu.js's WebGL2 mode (ANGLE / SwiftShader here) against the cpu backend.
 * Skipped, with a message, when Chromium is missing (`apt-get install -y chromium`, or CHROMIUM_PATH).
 */
import { existsSync } from "node:fs";
import { kernelCases } from "@resnet-ts/kernel-tests";
import { KERNEL_NAMES } from "@resnet-ts/tensor";
import { beforeAll, describe, expect, it } from "vitest";
import type { ModeResults, PageResults } from "../browser-test/page.js";
import { CHROMIUM_PATH, runPage } from "../browser-test/serve.js";
import { GPU_SKIPPED_CASES } from "./gpujs-known.js";

const available = existsSync(CHROMIUM_PATH);
if (!available) {
  console.warn(
    `backend-gpujs browser test SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );
}

/** The modes to check (GPUJS_BROWSER_MODES=webgl2,webgpu adds the SwiftShader WebGPU adapter). */
const MODES = (process.env.GPUJS_BROWSER_MODES ?? "webgl2").split(",");
/** GPUJS_BROWSER_BENCH=cpu,gpujs:webgl2,gpujs:webgpu also times training steps in the page and prints them. */
const BENCH = process.env.GPUJS_BROWSER_BENCH;

describe.skipIf(!available)("headless Chromium", () => {
  let results: PageResults & { fatal?: string; pageErrors?: string[] };

  beforeAll(async () => {
    results = (await runPage(MODES, 240_000, BENCH)) as typeof results;
  }, 900_000);

  it("ran the page", () => {
    expect(results.fatal).toBeUndefined();
    expect(results.pageErrors).toBeUndefined();
    console.info(
      `browser renderer: ${results.renderer}; WebGPU adapter: ${results.webgpuAdapter}; gpujs auto mode: ${results.auto}`,
    );
  });

  for (const mode of MODES) {
    describe(`gpujs:${mode}`, () => {
      const get = () => {
        const r = results.modes[mode];
        if (!r || "error" in r)
          throw new Error(`gpujs:${mode} failed in the page: ${r ? r.error : "no result"}`);
        return r as ModeResults;
      };

      it("started in that mode and names its renderer", () => {
        expect(get().started).toBe(mode);
        expect(get().renderer).not.toBe("");
        console.info(`gpujs:${mode} renderer: ${get().renderer} (software: ${get().software})`);
      });

      for (const kernel of KERNEL_NAMES) {
        for (const c of kernelCases(kernel)) {
          const key = `${kernel} [${c.name}]`;
          const reason = GPU_SKIPPED_CASES[key];
          it.skipIf(reason !== undefined)(reason === undefined ? key : `${key} (skipped: ${reason})`, () => {
            const mismatches = get().cases[key];
            expect(mismatches, "case missing from the page's results").toBeDefined();
            expect(mismatches).toEqual([]);
          });
        }
      }

      it("matches cpu on a small network's losses, weights and running statistics after 3 SGD steps", () => {
        const { mismatches, tensors, moved } = get().network;
        expect(mismatches).toEqual([]);
        expect(moved).toBeGreaterThan(tensors / 2);
      });

      it("keeps textures and storages flat over training steps", () => {
        const m = get().memory;
        expect(m.handlesAfterAll).toBe(m.handlesAfterOne);
        expect(m.buffersAfterAll).toBe(m.buffersAfterOne);
      });
    });
  }

  it.skipIf(!BENCH)("times training steps (GPUJS_BROWSER_BENCH)", () => {
    for (const r of results.bench ?? []) {
      if ("error" in r) console.info(`${r.workload} ${r.backend}: FAILED ${r.error}`);
      else {
        console.info(
          `${r.workload} batch ${r.batch} ${r.backend} (${r.mode}): ${r.imagesPerSecond.toFixed(2)} img/s, ${r.gflops.toFixed(3)} GFLOP/s`,
        );
      }
    }
    expect(results.bench?.length).toBeGreaterThan(0);
  });

  it("chooses WebGPU when an adapter answers, else WebGL2", () => {
    expect(results.auto).toBe(results.webgpuAdapter ? "webgpu" : "webgl2");
  });
});
