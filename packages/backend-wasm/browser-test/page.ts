/** Starts the training worker and exposes what it reports as `window.__wasmResults`. */
const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
worker.onmessage = (e) => {
  (window as unknown as { __wasmResults: unknown }).__wasmResults = e.data;
};
worker.onerror = (e) => {
  (window as unknown as { __wasmResults: unknown }).__wasmResults = { error: e.message };
};
worker.postMessage("run");
