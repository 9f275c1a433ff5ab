/**
 * The benchmark page (`?bench=1`): times training steps of the d2l ResNet-18 on each backend, one fresh
 * worker per backend, same batch and resolution, random inputs. Query parameters: `backends`
 * (comma-separated; default all), `batch` (32), `side` (28), `warmup` (1), `steps` (3), `maxSeconds` (60).
 * Results go to a table, to `window.benchResults` and to the `bench-results` element as JSON.
 */
import type { BenchRequest, BenchResult } from "./protocol.js";

const DEFAULT_BACKENDS = ["wasm", "gpujs:webgl2", "gpujs:webgpu", "cpu", "tfjs-webgl"];

function runOne(request: BenchRequest): Promise<BenchResult> {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    name: `bench ${request.backend}`,
  });
  return new Promise<BenchResult>((resolve) => {
    worker.onmessage = (event: MessageEvent<BenchResult>) => resolve(event.data);
    worker.onerror = (event) =>
      resolve({
        ...request,
        detail: "",
        stepSeconds: [],
        imagesPerSecond: 0,
        error: event.message || "worker failed",
      });
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

export async function startBench(root: HTMLElement): Promise<void> {
  const q = new URLSearchParams(location.search);
  const num = (key: string, fallback: number) => (q.has(key) ? Number(q.get(key)) : fallback);
  const backends = q.get("backends")?.split(",").filter(Boolean) ?? DEFAULT_BACKENDS;
  const base = {
    batch: num("batch", 32),
    side: num("side", 28),
    warmup: num("warmup", 1),
    steps: num("steps", 3),
  };
  const maxSeconds = num("maxSeconds", 60);
  root.innerHTML = `<header><h1>Training throughput: d2l ResNet-18, batch ${base.batch}, ${base.side}x${base.side}</h1>
    <p class="lede">One optimizer step = forward, cross-entropy, backward, SGD update. ${base.warmup} warm-up step(s), then up to ${base.steps} timed.</p></header>
    <main class="bench"><table class="bench-table"><thead><tr><th>backend</th><th>images/s</th><th>s/step</th><th>what ran</th></tr></thead>
    <tbody id="bench-rows"></tbody></table><pre data-testid="bench-results" id="bench-results"></pre></main>`;
  const rows = document.getElementById("bench-rows") as HTMLTableSectionElement;
  const results: BenchResult[] = [];
  for (const backend of backends) {
    const row = rows.insertRow();
    row.innerHTML = `<td>${backend}</td><td colspan="3">running...</td>`;
    const r = await runOne({ backend, ...base, maxSeconds });
    results.push(r);
    console.log(
      `bench: ${backend}: ${r.error ? `failed: ${r.error}` : `${r.imagesPerSecond.toFixed(2)} images/s (${r.detail})`}`,
    );
    const perStep = r.stepSeconds.length
      ? r.stepSeconds.reduce((a, b) => a + b, 0) / r.stepSeconds.length
      : Number.NaN;
    row.innerHTML = "";
    for (const cell of [
      backend,
      r.error ? "-" : r.imagesPerSecond.toFixed(2),
      r.error ? "-" : perStep.toFixed(2),
      r.error ? `failed: ${r.error}` : r.detail,
    ]) {
      row.insertCell().textContent = cell;
    }
  }
  (window as unknown as { benchResults: BenchResult[] }).benchResults = results;
  document.getElementById("bench-results")!.textContent = JSON.stringify(results, null, 2);
}
