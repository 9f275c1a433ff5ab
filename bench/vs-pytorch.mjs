// ResNet-18 training-step throughput, the JS backends against PyTorch, side by side in one run.
// Each (backend, input size, batch) runs `resnet-ts bench` in its own process so that its peak RSS is its own.
//   node bench/vs-pytorch.mjs [--configs=28:64,28:256,96:64,96:256] [--steps=3] [--backends=wasm,cpu]
//     [--rounds=1] [--baseline=path/to/other/apps/cli/dist/main.js] [--model=d2l-resnet18] [--channels=1]
// --model (d2l-resnet18, resnet18, resnet34, resnet50) and --channels pick the network and the input channels on
// both sides (torchvision's models come from torchvision in PyTorch, from @resnet-ts/layers here).
// With --rounds=n every config runs n times, PyTorch and each backend interleaved within a round, and the
// table reports medians (img/s, RSS) and the median of the per-round ratios: on a shared machine this is
// what keeps the comparison honest. --baseline adds `wasm (baseline)`: the wasm backend of another
// checkout's built CLI (a copy of the tree before a change), run in the same rounds.
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
const rounds = Number(opt("rounds", "1"));
const baseline = opt("baseline", "");
const model = opt("model", "d2l-resnet18");
const channels = opt("channels", model === "d2l-resnet18" ? "1" : "3");
const python = process.env.PYTHON ?? "/usr/bin/python3";
const torchStep = process.env.TORCH_STEP ?? fileURLToPath(new URL("torch_step.py", import.meta.url));
/**
 * Forward multiply-adds per image (d2l's net, 1 channel: SPEC §1; torchvision's ResNet-18 at 224, 3 channels:
 * 1.82 G); a training step is about 3x the forward pass. Other combinations leave the GFLOP/s column empty.
 */
const MACS =
  {
    "d2l-resnet18:1": { 28: 33.0e6, 96: 318.7e6, 224: 1735e6 },
    "resnet18:3": { 224: 1814e6 },
  }[`${model}:${channels}`] ?? {};
const cli = fileURLToPath(new URL("../apps/cli/dist/main.js", import.meta.url));

function torch(size, batch) {
  if (!existsSync(torchStep)) return { error: `no ${torchStep}` };
  try {
    const args = [torchStep, String(size), String(batch), String(steps), "2", "--model", model];
    const out = execFileSync(python, [...args, "--channels", channels], {
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

function js(backend, size, batch, entry = cli) {
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
    "--model",
    model,
    "--channels",
    channels,
  ];
  args.push("--steps", String(backend === "cpu" ? 1 : steps));
  try {
    const out = execFileSync(process.execPath, [entry, ...args], {
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

/** Effective GFLOP/s as text; empty where the network's multiply-adds are not in MACS. */
const gflops = (size, ips) => (MACS[size] ? ((ips * 3 * 2 * MACS[size]) / 1e9).toFixed(1) : "");
const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
};
const runners = [
  ...backends.map((b) => ({ name: b, run: (size, batch) => js(b, size, batch) })),
  ...(baseline ? [{ name: "wasm (baseline)", run: (size, batch) => js("wasm", size, batch, baseline) }] : []),
];
const rows = [];
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} (timings assume an idle machine)`,
);
for (const [size, batch] of configs) {
  const results = { pytorch: [] };
  for (const r of runners) results[r.name] = [];
  for (let round = 0; round < rounds; round++) {
    results.pytorch.push(torch(size, batch));
    for (const r of runners) results[r.name].push(r.run(size, batch));
  }
  const refIps = results.pytorch.map((t) => (t.error ? Number.NaN : t.imagesPerSec));
  const refRss = results.pytorch.map((t) => (t.error ? Number.NaN : t.maxRssMB));
  const refErr = results.pytorch.find((t) => t.error)?.error;
  const config = `${model === "d2l-resnet18" ? "" : `${model} `}${channels === "1" ? "" : `${channels}ch `}${size}x${size} b${batch}`;
  const ref = median(refIps);
  rows.push({
    config,
    backend: "pytorch (2 threads)",
    "img/s": Number.isFinite(ref) ? ref.toFixed(1) : refErr,
    "x pytorch": Number.isFinite(ref) ? "1.00" : "",
    "GFLOP/s": Number.isFinite(ref) ? gflops(size, ref) : "",
    "peak RSS MB": Number.isFinite(ref) ? median(refRss).toFixed(0) : "",
    "RSS x pytorch": Number.isFinite(ref) ? "1.00" : "",
    rounds: refIps.map((v) => v.toFixed(1)).join(" "),
  });
  for (const r of runners) {
    const rs = results[r.name];
    const ok = rs.find((x) => !x.error);
    if (!ok) {
      rows.push({ config, backend: r.name, "img/s": rs[0]?.error ?? "" });
      continue;
    }
    const ips = rs.map((x) => (x.error ? Number.NaN : x.imagesPerSecond));
    const rss = rs.map((x) => (x.error ? Number.NaN : x.peakRssMB));
    const ratio = median(ips.map((v, i) => v / (refIps[i] ?? Number.NaN)));
    const rssRatio = median(rss.map((v, i) => v / (refRss[i] ?? Number.NaN)));
    rows.push({
      config,
      backend: r.name === "wasm (baseline)" ? `${ok.backendDetail} (baseline)` : ok.backendDetail,
      "img/s": median(ips).toFixed(1),
      "x pytorch": Number.isFinite(ratio) ? ratio.toFixed(2) : "",
      "GFLOP/s": gflops(size, median(ips)),
      "peak RSS MB": median(rss).toFixed(0),
      "RSS x pytorch": Number.isFinite(rssRatio) ? rssRatio.toFixed(2) : "",
      rounds: ips.map((v) => v.toFixed(1)).join(" "),
    });
  }
  console.table(rows.slice(-1 - runners.length));
}
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.table(rows);
