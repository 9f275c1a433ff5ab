#!/usr/bin/env node
/**
 * Where a training step's time goes on one backend: wraps every gpujs kernel with a timer, runs
 * ResNet-18 steps and prints time per kernel and input shape, most expensive first. Needs the
 * packages built (pnpm turbo run build --filter=@resnet-ts/backend-gpujs...).
 *
 *   node bench/profile.mjs [--backend gpujs:webasm] [--size 28] [--batch 16] [--steps 2] [--top 30]
 */
import { parseArgs } from "node:util";
import { setBackend } from "@resnet-ts/tensor";
import { registerGpujsBackends } from "../dist/index.js";
import { gpujsImpls } from "../dist/kernels/index.js";
import { benchTraining, resnet18 } from "./steps.mjs";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "gpujs:webasm" },
    size: { type: "string", default: "28" },
    batch: { type: "string", default: "16" },
    steps: { type: "string", default: "2" },
    top: { type: "string", default: "30" },
  },
});

const totals = new Map();
let timing = false;
for (const [name, impl] of Object.entries(gpujsImpls)) {
  gpujsImpls[name] = (backend, inputs, attrs) => {
    const t0 = performance.now();
    const out = impl(backend, inputs, attrs);
    if (timing) {
      const shapes = Object.values(inputs)
        .filter((t) => t?.shape)
        .map((t) => `[${t.shape}]`)
        .join(" ");
      const key = `${name} ${shapes}`;
      const row = totals.get(key) ?? { ms: 0, calls: 0 };
      row.ms += performance.now() - t0;
      row.calls++;
      totals.set(key, row);
    }
    return out;
  };
}
registerGpujsBackends();
await setBackend(values.backend);
const steps = Number(values.steps);
await benchTraining(resnet18, Number(values.size), Number(values.batch), { steps: 1, warmup: 1 });
timing = true;
const r = await benchTraining(resnet18, Number(values.size), Number(values.batch), { steps, warmup: 0 });
timing = false;
const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
const all = rows.reduce((s, [, v]) => s + v.ms, 0);
console.log(
  `${values.backend}: ${r.imagesPerSecond.toFixed(2)} img/s, ${r.gflops.toFixed(2)} GFLOP/s; kernels ${(all / steps).toFixed(0)} ms of ${(r.secondsPerStep * 1000).toFixed(0)} ms per step`,
);
const byName = new Map();
for (const [key, v] of rows) byName.set(key.split(" ")[0], (byName.get(key.split(" ")[0]) ?? 0) + v.ms);
for (const [name, ms] of [...byName].sort((a, b) => b[1] - a[1]))
  console.log(`  ${name.padEnd(22)} ${(ms / steps).toFixed(1).padStart(8)} ms/step`);
for (const [key, v] of rows.slice(0, Number(values.top))) {
  console.log(
    `${(v.ms / steps).toFixed(1).padStart(8)} ms/step ${String(v.calls / steps).padStart(3)}x  ${key}`,
  );
}
