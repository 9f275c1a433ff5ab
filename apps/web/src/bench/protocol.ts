/** The benchmark's messages: one run per worker, for one backend. */

export interface BenchRequest {
  /** One of our backends (`wasm`, `cpu`, `gpujs:webgl2`, `gpujs:webgpu`) or `tfjs-webgl`. */
  backend: string;
  batch: number;
  side: number;
  warmup: number;
  steps: number;
  /** Stop timing after this many seconds of timed steps (at least one step is timed). */
  maxSeconds: number;
}

export interface BenchResult {
  backend: string;
  /** What actually ran (the backend's own name, or tfjs's backend and renderer). */
  detail: string;
  batch: number;
  side: number;
  /** Seconds of each timed training step. */
  stepSeconds: number[];
  imagesPerSecond: number;
  error: string | null;
}
