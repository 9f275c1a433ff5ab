#!/usr/bin/env node
/**
 * One gpu.js GPU path in Node, for gpu-device.sh: optionally installs a `navigator.gpu` shim from
 * the `webgpu` npm package (Dawn), starts a gpujs backend, checks it against the cpu backend on a
 * small net (same losses), then trains ResNet-18 for up to --steps steps / --seconds seconds and
 * prints images/s. Needs the packages built (dist/).
 *
 *   node bench/gpu-device.mjs --backend gpujs:webgpu --dawn backend=vulkan [--feature-level compatibility]
 *   node bench/gpu-device.mjs --backend gpujs:headlessgl      (under xvfb-run, with `gl` built)
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "gpujs" },
    dawn: { type: "string", default: "" },
    "feature-level": { type: "string", default: "" },
    size: { type: "string", default: "28" },
    batch: { type: "string", default: "32" },
    steps: { type: "string", default: "200" },
    seconds: { type: "string", default: "60" },
  },
});
const say = (line) => console.log(`[gpu-device] ${line}`);

if (values.backend.includes("webgpu")) {
  // gpu.js depends on webgpu (Dawn for Node); find it next to gpu.js.
  const require = createRequire(import.meta.url);
  const gpujsDir = dirname(require.resolve("gpu.js/package.json"));
  const webgpuPath = process.env.WEBGPU_MODULE ?? join(gpujsDir, "..", "webgpu", "index.js");
  const { create, globals } = await import(webgpuPath);
  Object.assign(globalThis, globals);
  const options = values.dawn ? values.dawn.split(",") : [];
  const gpu = create(options);
  const featureLevel = values["feature-level"];
  // gpu.js calls requestAdapter() without options; Dawn's GL ES backend needs featureLevel 'compatibility'.
  const shim = {
    requestAdapter: (o = {}) => gpu.requestAdapter(featureLevel ? { ...o, featureLevel } : o),
    getPreferredCanvasFormat: () => "rgba8unorm",
    get wgslLanguageFeatures() {
      return gpu.wgslLanguageFeatures;
    },
  };
  Object.defineProperty(globalThis, "navigator", {
    value: { gpu: shim },
    configurable: true,
    writable: true,
  });
  const adapter = await shim.requestAdapter();
  if (!adapter)
    throw new Error(`no WebGPU adapter (dawn options [${options}], featureLevel '${featureLevel}')`);
  const info = adapter.info ?? {};
  say(
    `webgpu adapter: vendor=${info.vendor} architecture=${info.architecture} device=${info.device} description=${info.description}`,
  );
}

const tensor = await import("@resnet-ts/tensor");
const gpujs = await import("../dist/index.js");
gpujs.registerGpujsBackends();
const { benchTraining, resnet18, smallNet } = await import("./steps.mjs");

const backend = await tensor.setBackend(values.backend);
say(`backend ${backend.name} runs gpu.js mode '${backend.mode}'`);

// Correctness on this device: the small net's losses over 3 steps against the cpu backend.
await tensor.setBackend("cpu");
const want = await benchTraining(smallNet, 16, 4, { steps: 3, warmup: 0 });
await tensor.setBackend(values.backend);
const got = await benchTraining(smallNet, 16, 4, { steps: 3, warmup: 0 });
const rel = Math.abs(got.loss - want.loss) / Math.abs(want.loss);
say(
  `check vs cpu (small net, 3 steps): loss ${got.loss.toFixed(6)} vs ${want.loss.toFixed(6)}, relative difference ${rel.toExponential(2)} ${rel < 1e-4 ? "OK" : "MISMATCH"}`,
);

const size = Number(values.size);
const batch = Number(values.batch);
const t0 = performance.now();
const warm = await benchTraining(resnet18, size, batch, { steps: 1, warmup: 1 });
say(
  `ResNet-18 ${size}x${size} batch ${batch}: first two steps (kernel compiles) ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const perStep = warm.secondsPerStep;
const steps = Math.max(
  1,
  Math.min(Number(values.steps), Math.floor(Number(values.seconds) / Math.max(perStep, 1e-3))),
);
const r = await benchTraining(resnet18, size, batch, { steps, warmup: 1 });
say(
  `RESULT backend=${values.backend} mode=${backend.mode} ResNet-18 ${size}x${size} batch ${batch}: ${steps} steps, ` +
    `${r.imagesPerSecond.toFixed(1)} img/s, ${r.gflops.toFixed(2)} GFLOP/s, ${(r.secondsPerStep * 1000).toFixed(1)} ms/step, loss ${r.loss.toFixed(4)}`,
);
backend.destroy?.();
process.exit(0);
