#!/usr/bin/env node
/**
 * Browser training throughput: builds the app, serves it with `vite preview`, opens `?bench=1` in
 * headless Chromium (WebGPU enabled, SwiftShader's adapter where there is no GPU) and prints images/s of the d2l ResNet-18 on each backend side by
 * side with TensorFlow.js's WebGL backend (same page, batch and resolution).
 * Usage: node scripts/bench-browser.mjs [--batch 32] [--side 28] [--steps 3] [--warmup 1]
 *        [--max-seconds 60] [--backends wasm,gpujs:webgl2,gpujs:webgpu,cpu,tfjs-webgl] [--json]
 */
import { parseArgs } from "node:util";
import { WEBGPU_FLAGS } from "@resnet-ts/browser-harness/chromium";
import { browserMissing, buildApp, launchBrowser, serveApp } from "./browser.mjs";

const { values } = parseArgs({
  options: {
    batch: { type: "string", default: "32" },
    side: { type: "string", default: "28" },
    steps: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    "max-seconds": { type: "string", default: "60" },
    backends: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

const missing = browserMissing();
if (missing) {
  console.error(`bench-browser: ${missing}`);
  process.exit(1);
}
const log = (msg) => values.json || console.error(msg);
await buildApp();
const server = await serveApp();
const browser = await launchBrowser({ extraFlags: WEBGPU_FLAGS });
try {
  const page = await browser.context.newPage();
  page.on("console", (message) => message.text().startsWith("bench:") && log(message.text()));
  const query = new URLSearchParams({
    bench: "1",
    batch: values.batch,
    side: values.side,
    steps: values.steps,
    warmup: values.warmup,
    maxSeconds: values["max-seconds"],
    ...(values.backends ? { backends: values.backends } : {}),
  });
  log(
    `bench-browser: ${server.url}?${query} (${(await browser.context.browser()?.version()) ?? "chromium"})`,
  );
  await page.goto(`${server.url}?${query}`);
  await page.waitForFunction(() => "benchResults" in window, undefined, { timeout: 0, polling: 1000 });
  const results = await page.evaluate(() => window.benchResults);
  if (values.json) {
    console.log(JSON.stringify(results));
  } else {
    const rows = results.map((r) => [
      r.backend,
      r.error ? "-" : r.imagesPerSecond.toFixed(2),
      r.error ? "-" : (r.stepSeconds.reduce((a, b) => a + b, 0) / r.stepSeconds.length).toFixed(2),
      String(r.stepSeconds.length),
      r.error ? `failed: ${r.error}` : r.detail,
    ]);
    const header = ["backend", "images/s", "s/step", "steps", "what ran"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i === 4 ? c : c.padEnd(widths[i]))).join("  ");
    console.log(
      `d2l ResNet-18 training step, batch ${values.batch}, ${values.side}x${values.side}, headless Chromium`,
    );
    console.log([line(header), ...rows.map(line)].join("\n"));
  }
} finally {
  await browser.close();
  await server.close();
}
