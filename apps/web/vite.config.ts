// The web app's Vite config: cross-origin isolation headers (SharedArrayBuffer for the wasm backend's
// threads) on the dev server and on `vite preview`, and module workers.
import { defineConfig } from "vite";

/** COOP/COEP: make the page cross-origin isolated so SharedArrayBuffer and wasm threads work. */
export const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  base: "./",
  server: { headers: isolationHeaders },
  // The dev server's dependency scan does not follow `new Worker(new URL(...))`: name the CommonJS
  // dependencies the workers load, so that they are pre-bundled up front instead of forcing a reload.
  optimizeDeps: { include: ["@resnet-ts/backend-gpujs > gpu.js", "@tensorflow/tfjs"] },
  preview: { headers: isolationHeaders },
  // keepNames: the model summary (made in the worker) shows the layers' class names (Conv2d, Residual, ...).
  worker: {
    format: "es",
    rolldownOptions: { output: { keepNames: true } },
  },
  build: { target: "es2022", chunkSizeWarningLimit: 2000, rolldownOptions: { output: { keepNames: true } } },
});
