#!/usr/bin/env node
// Packs every publishable package and the CLI (`pnpm pack`), installs the tarballs into a scratch project
// outside the workspace with npm, and imports and runs them there, and the installed `resnet-ts` command
// (`summary` and a few training steps): proof that the packages work as users install them.
// Usage: node tooling/scripts/pack-smoke.mjs   (after `pnpm build`)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "resnet-ts-pack-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString();

try {
  const packages = [
    ...readdirSync(join(root, "packages")).map((dir) => join(root, "packages", dir)),
    join(root, "apps", "cli"),
  ]
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ pkg }) => !pkg.private);
  const tarballs = packages.map(({ dir, pkg }) => {
    run("pnpm", ["pack", "--pack-destination", scratch], dir);
    const file = readdirSync(scratch).find(
      (f) => f.startsWith(pkg.name.replace("@", "").replace("/", "-")) && f.endsWith(".tgz"),
    );
    if (!file) throw new Error(`pnpm pack produced no tarball for ${pkg.name}`);
    console.log(`packed ${pkg.name} -> ${file}`);
    return join(scratch, file);
  });
  writeFileSync(
    join(scratch, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module" }),
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], scratch);
  writeFileSync(
    join(scratch, "smoke.mjs"),
    `
import * as tensor from "@resnet-ts/tensor";
import { resnet18, summary } from "@resnet-ts/layers";
import * as data from "@resnet-ts/data";
import * as trainer from "@resnet-ts/trainer";
const x = tensor.fromArray([1, -2, 3], [3]).requireGrad();
const y = tensor.sum(tensor.relu(x));
y.backward();
if (String(Array.from(x.grad.dataSync())) !== "1,0,1") throw new Error("autograd through the installed tensor package failed");
const s = summary(resnet18(), [1, 1, 28, 28]);
if (s.parameters !== 11178378) throw new Error("resnet18 parameter count " + s.parameters);
if (data.CLASS_NAMES.length !== 10) throw new Error("data package CLASS_NAMES");
for (const name of ["SGD", "encodeSafetensors", "decodeSafetensors", "TrainConfigSchema"]) {
  if (!(name in trainer)) throw new Error("trainer package lacks " + name);
}
const { registerWasmBackend } = await import("@resnet-ts/backend-wasm");
await import("@resnet-ts/backend-gpujs");
registerWasmBackend();
const reference = tensor.conv2d(tensor.ones([1, 2, 5, 5]), tensor.ones([3, 2, 3, 3]), null, { padding: 1 }).dataSync();
await tensor.setBackend("wasm");
const fast = tensor.conv2d(tensor.ones([1, 2, 5, 5]), tensor.ones([3, 2, 3, 3]), null, { padding: 1 }).dataSync();
// Within rounding (the outputs are at most 18): the wasm backend runs this conv by Winograd F(3x3, 3x3).
const worst = Math.max(...Array.from(fast, (v, i) => Math.abs(v - reference[i])));
if (fast.length !== reference.length || !(worst <= 1e-5 * 18)) throw new Error("the installed wasm backend disagrees with cpu by " + worst);
if (!tensor.listBackends().includes("gpujs")) throw new Error("the installed gpujs package did not register its backends");
tensor.getBackend().destroy?.();
console.log("installed packages work: autograd, resnet18 (" + s.parameters + " parameters), data, trainer, wasm and gpujs backends");
`,
  );
  process.stdout.write(run("node", ["smoke.mjs"], scratch));
  // The installed command, as `npm i -g @resnet-ts/cli` users run it.
  const bin = join(scratch, "node_modules", ".bin", "resnet-ts");
  const summary = run(bin, ["summary"], scratch);
  if (!summary.includes("11,178,378") && !summary.includes("11178378"))
    throw new Error(`resnet-ts summary printed no ResNet-18 parameter count:\n${summary}`);
  const env = { ...process.env, RESNET_TS_CACHE: join(scratch, "cache") };
  const trained = execFileSync(
    bin,
    [
      "--json",
      "train",
      "--steps",
      "2",
      "--batch-size",
      "16",
      "--train-limit",
      "64",
      "--test-limit",
      "32",
      "--out",
      join(scratch, "smoke.safetensors"),
    ],
    { cwd: scratch, env, stdio: ["ignore", "pipe", "inherit"] },
  ).toString();
  const result = JSON.parse(trained.trim().split("\n").pop() ?? "{}");
  if (result.steps !== 2 || !Number.isFinite(result.loss))
    throw new Error(`the installed resnet-ts train did not report 2 steps and a loss:\n${trained}`);
  console.log(`installed resnet-ts command works: summary, train (2 steps, loss ${result.loss})`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
