// A digest of a model's weights after a few seeded training steps: run it on two builds (before and after a
// change that should only move memory around, e.g. with the checkout of the earlier commit) and compare the
// lines; equal digests mean bit-identical losses, weights, running statistics and momentum buffers.
//   node bench/weights-digest.mjs [--backend=wasm] [--threads=2] [--model=d2l-resnet18] [--channels=1]
//     [--size=28] [--batch=16] [--steps=3]                 (after `pnpm build`)
// Run from the checkout whose build it should use (it imports that checkout's packages).
import { createHash } from "node:crypto";
import { registerWasmBackend } from "@resnet-ts/backend-wasm";
import { noGrad, setBackend } from "@resnet-ts/tensor";
import { benchStep, createModel } from "@resnet-ts/trainer";

const opt = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const backendName = opt("backend", "wasm");
const threads = Number(opt("threads", "2"));
const model = opt("model", "d2l-resnet18");
const channels = Number(opt("channels", model === "d2l-resnet18" ? "1" : "3"));
const side = Number(opt("size", "28"));
const batchSize = Number(opt("batch", "16"));
const steps = Number(opt("steps", "3"));

registerWasmBackend({ threads });
await setBackend(backendName);
const net = createModel({ model }, { inChannels: channels, numClasses: 10 });
const bench = benchStep(net, { batchSize, channels, side });
const losses = [];
for (let s = 0; s < steps; s++) losses.push(await bench.step());
const hash = createHash("sha256");
noGrad(() => {
  for (const t of [...net.parameters(), ...net.buffers()]) hash.update(t.dataSync());
});
bench.dispose();
console.log(
  `${backendName}${backendName === "wasm" ? ` (${threads} threads)` : ""} ${model} ${channels}x${side}x${side} ` +
    `b${batchSize}, ${steps} steps: losses ${losses.map((l) => l.toFixed(6)).join(" ")}; weights sha256 ${hash.digest("hex").slice(0, 16)}`,
);
process.exit(0);
