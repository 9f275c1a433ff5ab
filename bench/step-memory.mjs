// Where a training step's memory goes on the wasm backend: live tensor bytes at the end of the forward pass,
// the peak of live tensor bytes (after which kernel, in which phase), the heap's high-water mark (tensors,
// kernel scratch and free blocks: what the WebAssembly memory holds) and the process's peak RSS, per step.
//   node bench/step-memory.mjs [--model=d2l-resnet18] [--channels=1] [--size=96] [--batch=256] [--steps=2]
//     [--threads=2]                                          (after `pnpm build`)
import { registerWasmBackend, wasmKernels } from "@resnet-ts/backend-wasm";
import { getBackend, registerKernel, setBackend } from "@resnet-ts/tensor";
import { benchStep, createModel } from "@resnet-ts/trainer";

const opt = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const model = opt("model", "d2l-resnet18");
const channels = Number(opt("channels", model === "d2l-resnet18" ? "1" : "3"));
const side = Number(opt("size", "96"));
const batchSize = Number(opt("batch", "256"));
const steps = Number(opt("steps", "2"));

registerWasmBackend({ threads: Number(opt("threads", "2")) });
// The phase is read from the kernel names: the loss kernel ends the forward pass, SgdUpdate starts the update.
let phase = "forward";
let peak = { bytes: 0 };
let forwardEnd = 0;
let kernels = 0;
for (const k of wasmKernels) {
  const f = k.kernelFunc;
  registerKernel({
    ...k,
    kernelFunc: (backend, inputs, attrs) => {
      if (k.kernelName === "SgdUpdate") phase = "update";
      const out = f(backend, inputs, attrs);
      kernels++;
      const { bytes } = backend.memory();
      if (bytes > peak.bytes) peak = { bytes, kernel: k.kernelName, phase, at: kernels };
      if (k.kernelName === "SoftmaxCrossEntropy") {
        forwardEnd = bytes;
        phase = "backward";
      }
      return out;
    },
  });
}
await setBackend("wasm");
const backend = getBackend();
const net = createModel({ model }, { inChannels: channels, numClasses: 10 });
const bench = benchStep(net, { batchSize, channels, side });
const MiB = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(
  `${model} ${channels}x${side}x${side} batch ${batchSize}, wasm ${backend.runtime.threads} threads`,
);
for (let s = 0; s < steps; s++) {
  phase = "forward";
  peak = { bytes: 0 };
  kernels = 0;
  await bench.step();
  console.log(
    `step ${s + 1}: live tensors ${MiB(forwardEnd)} after forward, peak ${MiB(peak.bytes)} after ` +
      `${peak.kernel} (${peak.phase}, kernel ${peak.at} of ${kernels}); heap ${MiB(backend.heapBytes())}; ` +
      `peak RSS ${MiB(process.resourceUsage().maxRSS * 1024)}`,
  );
}
bench.dispose();
process.exit(0);
