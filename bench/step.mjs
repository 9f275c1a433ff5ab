// Times ResNet-18 training steps on one backend in this process and prints one JSON line:
//   node bench/step.mjs <backend> <size> <batch> <steps> [--profile]
// --profile also prints the time spent in each kernel (summed over the timed steps).
import { Rng, fromArray, listBackends, registerKernel, setBackend } from "../packages/tensor/dist/index.js";
import { registerWasmBackend, wasmKernels } from "../packages/backend-wasm/dist/index.js";
import { buildResNet18, trainStep } from "./resnet18.mjs";

const [backendName = "wasm", size = "28", batch = "64", steps = "3"] = process.argv.slice(2);
const profile = process.argv.includes("--profile");
const H = Number(size);
const B = Number(batch);
const STEPS = Number(steps);

registerWasmBackend(process.env.WASM_THREADS ? { threads: Number(process.env.WASM_THREADS) } : {});
const times = new Map();
if (profile) {
  for (const k of wasmKernels) {
    const f = k.kernelFunc;
    registerKernel({
      ...k,
      kernelFunc: (b, i, a) => {
        const t0 = performance.now();
        const r = f(b, i, a);
        const key = k.kernelName + (k.kernelName.startsWith("Conv") ? ` ${i.w?.shape ?? a.wShape}` : "");
        times.set(key, (times.get(key) ?? 0) + performance.now() - t0);
        return r;
      },
    });
  }
}
const backend = await setBackend(backendName);
const rng = new Rng(1);
const net = buildResNet18(0);
const xv = new Float32Array(B * H * H);
for (let i = 0; i < xv.length; i++) xv[i] = rng.uniform(0, 1);
const x = fromArray(xv, [B, 1, H, H]);
const labels = fromArray(Array.from({ length: B }, (_, i) => i % 10));
const t0 = performance.now();
trainStep(net, x, labels);
const first = performance.now() - t0;
times.clear();
const ts = [];
const cpu0 = process.cpuUsage();
for (let s = 0; s < STEPS; s++) {
  const t = performance.now();
  trainStep(net, x, labels);
  ts.push(performance.now() - t);
}
const cpu = process.cpuUsage(cpu0);
ts.sort((a, b) => a - b);
const median = ts[Math.floor(ts.length / 2)];
const out = {
  backend: backendName,
  size: H,
  batch: B,
  steps: STEPS,
  firstStepMs: Math.round(first),
  medianStepMs: Math.round(median),
  bestStepMs: Math.round(ts[0]),
  imagesPerSec: (B / median) * 1000,
  cpuMsPerStep: Math.round((cpu.user + cpu.system) / 1000 / STEPS),
  maxRssMB: process.resourceUsage().maxRSS / 1024,
  ...(backend.heapBytes
    ? { heapMB: backend.heapBytes() / 2 ** 20, peakTensorMB: backend.peakBytes() / 2 ** 20 }
    : {}),
  threads: backend.runtime?.threads ?? 1,
  relaxedSimd: backend.runtime?.relaxedSimd ?? false,
  registered: listBackends(),
};
if (profile) {
  out.profileMs = Object.fromEntries(
    [...times.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v / STEPS)]),
  );
}
console.log(JSON.stringify(out));
process.exit(0);
