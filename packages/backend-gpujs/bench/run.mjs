#!/usr/bin/env node
/**
 * Training-step benchmark in Node: the same workloads on the reference cpu backend and on every
 * gpujs mode that starts here, in one run, printed side by side (images/s, effective GFLOP/s).
 * Needs the packages built: pnpm turbo run build --filter=@resnet-ts/backend-gpujs...
 *
 *   node bench/run.mjs [--backends cpu,gpujs:webasm,gpujs:cpu] [--workload small|resnet18|all]
 *                      [--size 28] [--batch 16] [--steps 3]
 */
import { parseArgs } from "node:util";
import { listBackends, setBackend } from "@resnet-ts/tensor";
import "../dist/index.js";
import { benchTraining, resnet18, smallNet } from "./steps.mjs";

const { values } = parseArgs({
  options: {
    backends: { type: "string" },
    workload: { type: "string", default: "all" },
    size: { type: "string", default: "28" },
    batch: { type: "string", default: "16" },
    steps: { type: "string", default: "3" },
  },
});
const backends = values.backends?.split(",") ?? [
  "cpu",
  ...listBackends().filter((b) => b.startsWith("gpujs:")),
];
const workloads = { small: smallNet, resnet18 };
const chosen = values.workload === "all" ? Object.keys(workloads) : [values.workload];
const size = Number(values.size);
const batch = Number(values.batch);
const steps = Number(values.steps);

const rows = [];
for (const w of chosen) {
  for (const name of backends) {
    let backend;
    try {
      backend = await setBackend(name);
    } catch (error) {
      console.log(`${name}: skipped (${error.message.split("\n")[0]})`);
      continue;
    }
    const r = await benchTraining(workloads[w], size, batch, { steps });
    const row = { backend: name, mode: backend.mode ?? "-", ...r };
    rows.push(row);
    console.log(
      `${row.workload.padEnd(26)} ${name.padEnd(18)} mode ${String(row.mode).padEnd(8)} batch ${batch}: ` +
        `${row.imagesPerSecond.toFixed(2)} img/s, ${row.gflops.toFixed(2)} GFLOP/s, ${row.secondsPerStep.toFixed(3)} s/step, loss ${row.loss.toFixed(4)}`,
    );
    await setBackend("cpu");
  }
}
console.log(JSON.stringify({ size, batch, steps, rows }));
