// Microbenchmark of the three convolution kernels on ResNet-18's layer shapes: GFLOP/s per kernel on
// the wasm backend (and on the reference cpu backend with --cpu, slow): by wall time, and in brackets by
// CPU time (on a busy machine the wall time includes other processes' turns; with --threads=1 the CPU
// time is the kernel's own).
//   node bench/conv-kernels.mjs [batch=64] [size=28] [--cpu] [--torch] [--threads=N] [--direct] [--tiles]
// --direct also times the wasm backend without Winograd (its implicit GEMMs for every conv), in the same run;
// --tiles times it with each Winograd tile forced (F(2x2, 3x3), F(3x3, 3x3), then F(4x4, 3x3)) wherever Winograd fits.
// --torch runs bench/torch_conv.py (PyTorch, /usr/bin/python3 or $PYTHON) on the same shapes and threads.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Rng, registerBackend, runKernel, setBackend } from "@resnet-ts/tensor";
import { createWasmBackend, registerWasmBackend } from "@resnet-ts/backend-wasm";

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith("--"));
const B = Number(positional[0] ?? 64);
const H = Number(positional[1] ?? 28);
const threadsArg = args.find((a) => a.startsWith("--threads="));
const threadOpt = threadsArg ? { threads: Number(threadsArg.split("=")[1]) } : {};
registerWasmBackend(threadOpt);
registerBackend("wasm-direct", () => createWasmBackend({ ...threadOpt, winograd: false }));
for (const m of [2, 3, 4])
  registerBackend(`wasm-f${m}`, () => createWasmBackend({ ...threadOpt, winograd: m }));

// [name, c, o, k, stride, pad, input size] for the d2l ResNet-18 at input H.
const s1 = Math.floor((H + 6 - 7) / 2) + 1;
const s2 = Math.floor((s1 + 2 - 3) / 2) + 1;
const s3 = Math.floor((s2 + 2 - 3) / 2) + 1;
const s4 = Math.floor((s3 + 2 - 3) / 2) + 1;
const s5 = Math.floor((s4 + 2 - 3) / 2) + 1;
const LAYERS = [
  ["b1 7x7/2", 1, 64, 7, 2, 3, H],
  ["b2 3x3", 64, 64, 3, 1, 1, s2],
  ["b3 3x3/2", 64, 128, 3, 2, 1, s2],
  ["b3 3x3", 128, 128, 3, 1, 1, s3],
  ["b4 3x3", 256, 256, 3, 1, 1, s4],
  ["b5 3x3", 512, 512, 3, 1, 1, s5],
  ["b5 1x1/2", 256, 512, 1, 2, 0, s4],
];

const rng = new Rng(0);
const rand = (shape) => {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform(-1, 1);
  return v;
};

async function bench(backendName) {
  const backend = await setBackend(backendName);
  const rows = [];
  for (const [name, c, o, k, stride, pad, size] of LAYERS) {
    const out = Math.floor((size + 2 * pad - k) / stride) + 1;
    const xs = [B, c, size, size];
    const ws = [o, c, k, k];
    const ys = [B, o, out, out];
    const x = { dataId: backend.write(rand(xs)), shape: xs };
    const w = { dataId: backend.write(rand(ws)), shape: ws };
    const dy = { dataId: backend.write(rand(ys)), shape: ys };
    const attrs = { stride: [stride, stride], pad: [pad, pad] };
    const flops = 2 * B * o * out * out * c * k * k;
    const row = { layer: name, shape: `${xs} * ${ws}` };
    const kernels = {
      fwd: () => runKernel("Conv2D", { x, w }, attrs),
      bwdInput: () => runKernel("Conv2DBackpropInput", { dy, w }, { ...attrs, xShape: xs }),
      bwdFilter: () => runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, wShape: ws }),
    };
    for (const [kname, f] of Object.entries(kernels)) {
      backend.disposeData(f().dataId);
      const reps = backendName === "cpu" ? 1 : Math.max(3, Math.min(60, Math.ceil(3e9 / flops)));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) backend.disposeData(f().dataId);
      const wall = (performance.now() - t0) / 1000 / reps;
      const used = process.cpuUsage(cpu0);
      const cpu = (used.user + used.system) / 1e6 / reps;
      row[kname] = `${(flops / wall / 1e9).toFixed(1)} (${(flops / cpu / 1e9).toFixed(1)})`;
    }
    for (const t of [x, w, dy]) backend.disposeData(t.dataId);
    rows.push(row);
  }
  console.log(`${backendName}: GFLOP/s by wall time (by CPU time), batch ${B}, input ${H}x${H}`);
  console.table(rows);
}

await bench("wasm");
if (args.includes("--direct")) await bench("wasm-direct");
if (args.includes("--tiles")) for (const m of [2, 3, 4]) await bench(`wasm-f${m}`);
if (args.includes("--cpu")) await bench("cpu");
if (args.includes("--torch")) {
  const threads = threadsArg ? threadsArg.split("=")[1] : String(availableParallelism());
  const script = fileURLToPath(new URL("torch_conv.py", import.meta.url));
  const out = execFileSync(
    process.env.PYTHON ?? "/usr/bin/python3",
    [script, String(B), String(H), threads],
    {
      input: JSON.stringify(LAYERS),
      encoding: "utf8",
    },
  );
  console.log(`pytorch (${threads} threads): GFLOP/s by wall time, batch ${B}, input ${H}x${H}`);
  console.table(
    out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)),
  );
}
process.exit(0);
