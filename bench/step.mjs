// Profiles ResNet-18 training steps on one backend: milliseconds per kernel (and per conv layer shape),
// summed over the timed steps, plus the step time; on wasm also per kernel of the wasm module (Winograd's
// transforms and GEMMs apart). For throughput use `resnet-ts bench` (vs-pytorch.mjs).
//   node bench/step.mjs <backend> <size> <batch> <steps>     (after `pnpm build`)
import { registerWasmBackend, wasmKernels } from "@resnet-ts/backend-wasm";
import { resnet18 } from "@resnet-ts/layers";
import { fromArray, Rng, registerKernel, setBackend, softmaxCrossEntropy, tidy } from "@resnet-ts/tensor";
import { SGD } from "@resnet-ts/trainer";

const [backendName = "wasm", size = "28", batch = "64", steps = "3"] = process.argv.slice(2);
const [H, B, STEPS] = [Number(size), Number(batch), Number(steps)];

registerWasmBackend(process.env.WASM_THREADS ? { threads: Number(process.env.WASM_THREADS) } : {});
const times = new Map();
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
const backend = await setBackend(backendName);
const moduleTimes = new Map();
if (backend.runtime) {
  const run = backend.runtime.run.bind(backend.runtime);
  backend.runtime.run = (name, args) => {
    const t0 = performance.now();
    run(name, args);
    moduleTimes.set(name, (moduleTimes.get(name) ?? 0) + performance.now() - t0);
  };
}
const rng = new Rng(1);
const model = resnet18({ seed: 0 });
const x = fromArray(
  Float32Array.from({ length: B * H * H }, () => rng.next()),
  [B, 1, H, H],
);
const labels = fromArray(Array.from({ length: B }, (_, i) => i % 10));
const optimizer = new SGD(model.parameters(), { lr: 0.05 });
const perStep = (m) =>
  Object.fromEntries(
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v / STEPS)]),
  );
const step = () =>
  tidy(() => {
    softmaxCrossEntropy(model.call(x), labels).backward();
    optimizer.step();
    optimizer.zeroGrad();
  });
step();
times.clear();
moduleTimes.clear();
const ts = [];
for (let s = 0; s < STEPS; s++) {
  const t = performance.now();
  step();
  ts.push(performance.now() - t);
}
ts.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    backend: backendName,
    size: H,
    batch: B,
    medianStepMs: Math.round(ts[Math.floor(ts.length / 2)]),
    profileMs: perStep(times),
    ...(backend.runtime ? { moduleKernelMs: perStep(moduleTimes) } : {}),
  }),
);
process.exit(0);
