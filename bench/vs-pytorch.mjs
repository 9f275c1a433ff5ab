// ResNet-18 training-step throughput, the JS backends against PyTorch, side by side in one run.
// Each (backend, input size, batch) runs `resnet-ts bench` in its own process so that its peak RSS is its own.
//   node bench/vs-pytorch.mjs [--configs=28:64,28:256,96:64,96:256] [--steps=3] [--backends=wasm,cpu]
// The reference `cpu` backend is slow (seconds to minutes a step), so it runs only where
// --cpu-configs says (default 28:64) and for one timed step.
// PyTorch: /usr/bin/python3 with torch (Debian: apt-get install -y python3-torch), 2 threads, running
// bench/torch_step.py, the same network and step (override with TORCH_STEP=path, PYTHON=path).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const opt = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const configs = opt("configs", "28:64,28:256,96:64,96:256")
  .split(",")
  .map((c) => c.split(":").map(Number));
const steps = Number(opt("steps", "3"));
const backends = opt("backends", "wasm,cpu").split(",");
const cpuConfigs = opt("cpu-configs", "28:64").split(",");
const python = process.env.PYTHON ?? "/usr/bin/python3";
const torchStep = process.env.TORCH_STEP ?? fileURLToPath(new URL("torch_step.py", import.meta.url));
/** Forward multiply-adds per image (SPEC §1); a training step is about 3x the forward pass. */
const MACS = { 28: 33.0e6, 96: 318.7e6 };
const cli = fileURLToPath(new URL("../apps/cli/dist/main.js", import.meta.url));

function torch(size, batch) {
  if (!existsSync(torchStep)) return { error: `no ${torchStep}` };
  try {
    const out = execFileSync(python, [torchStep, String(size), String(batch), String(steps), "2"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ips = Number(/([\d.]+) img\/s/.exec(out)?.[1]);
    const rss = Number(/maxrss_kb (\d+)/.exec(out)?.[1]) / 1024;
    return { imagesPerSec: ips, maxRssMB: rss };
  } catch (e) {
    return {
      error: `torch failed: ${String(e.stderr ?? e.message)
        .split("\n")
        .slice(-2)
        .join(" ")}`,
    };
  }
}

function js(backend, size, batch) {
  if (backend === "cpu" && !cpuConfigs.includes(`${size}:${batch}`))
    return { error: "skipped (--cpu-configs)" };
  const args = [
    "--json",
    "bench",
    "--backend",
    backend,
    "--resize",
    String(size),
    "--batch-size",
    String(batch),
  ];
  args.push("--steps", String(backend === "cpu" ? 1 : steps));
  try {
    const out = execFileSync(process.execPath, [cli, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out.trim().split("\n").pop());
  } catch (e) {
    return {
      error: `${backend} failed: ${String(e.stderr ?? e.message)
        .split("\n")
        .slice(0, 3)
        .join(" ")}`,
    };
  }
}

const gflops = (size, ips) => (ips * 3 * 2 * MACS[size]) / 1e9;
const rows = [];
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} (timings assume an idle machine)`,
);
for (const [size, batch] of configs) {
  const ref = torch(size, batch);
  rows.push({
    config: `${size}x${size} b${batch}`,
    backend: "pytorch (2 threads)",
    "img/s": ref.error ?? ref.imagesPerSec.toFixed(1),
    "x pytorch": ref.error ? "" : "1.00",
    "GFLOP/s": ref.error ? "" : gflops(size, ref.imagesPerSec).toFixed(1),
    "peak RSS MB": ref.error ? "" : ref.maxRssMB.toFixed(0),
    "RSS x pytorch": ref.error ? "" : "1.00",
  });
  for (const backend of backends) {
    const r = js(backend, size, batch);
    const ok = !r.error;
    rows.push({
      config: `${size}x${size} b${batch}`,
      backend: ok ? r.backendDetail : backend,
      "img/s": ok ? r.imagesPerSecond.toFixed(1) : r.error,
      "x pytorch": ok && !ref.error ? (r.imagesPerSecond / ref.imagesPerSec).toFixed(2) : "",
      "GFLOP/s": ok ? r.effectiveGflops.toFixed(1) : "",
      "peak RSS MB": ok ? r.peakRssMB.toFixed(0) : "",
      "RSS x pytorch": ok && !ref.error ? (r.peakRssMB / ref.maxRssMB).toFixed(2) : "",
    });
  }
  console.table(rows.slice(-1 - backends.length));
}
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.table(rows);
