// The web app's Vite config: cross-origin isolation headers (SharedArrayBuffer for the wasm backend's
// threads) on the dev server and on `vite preview`, and module workers.
import { defineConfig, type Plugin } from "vite";

/** COOP/COEP: make the page cross-origin isolated so SharedArrayBuffer and wasm threads work. */
export const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/**
 * Keeps @resnet-ts/tensor's entry module in the bundle: it registers the reference `cpu` backend by a
 * bare `import "./cpu/register.js"`, but the package's `sideEffects` list names only register.js, so a
 * bundler that drops side-effect-free modules drops the entry and that import with it (no `cpu`).
 */
function keepTensorEntry(): Plugin {
  return {
    name: "resnet-ts:keep-tensor-entry",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (source !== "@resnet-ts/tensor") return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && { ...resolved, moduleSideEffects: true };
    },
  };
}

export default defineConfig({
  plugins: [keepTensorEntry()],
  base: "./",
  server: { headers: isolationHeaders },
  // The dev server's dependency scan does not follow `new Worker(new URL(...))`: name the CommonJS
  // dependencies the workers load, so that they are pre-bundled up front instead of forcing a reload.
  optimizeDeps: { include: ["@resnet-ts/backend-gpujs > gpu.js", "@tensorflow/tfjs"] },
  preview: { headers: isolationHeaders },
  // keepNames: the model summary (made in the worker) shows the layers' class names (Conv2d, Residual, ...).
  worker: {
    format: "es",
    plugins: () => [keepTensorEntry()],
    rolldownOptions: { output: { keepNames: true } },
  },
  build: { target: "es2022", chunkSizeWarningLimit: 2000, rolldownOptions: { output: { keepNames: true } } },
});
