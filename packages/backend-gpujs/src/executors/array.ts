/**
 * The cpu and webasm executors: gpu.js compiles each kernel to JavaScript or to a WebAssembly module
 * (SIMD over x where it can); data stays in flat Float32Arrays, passed in as `input(flat, dims)`.
 * Neither mode has device memory, so pipeline textures do not apply; a fresh array per run. A webasm
 * kernel's result is taken flat, as its module wrote it, skipping gpu.js's nested rows (one
 * sub-array per row, or per thread for 4-value results).
 */
import { type Dims, dimsSize } from "../layout.js";
import { GPU, type GpuInstance, input, type KernelFn } from "./gpujs.js";
import {
  assertMode,
  type Executor,
  flatten3,
  type Handle,
  KERNEL_SETTINGS,
  type KernelArg,
  kernelKey,
} from "./types.js";
import { type Dispatch, type WasmEntry, WasmThreads } from "./wasm-threads.js";

/** Webasm kernels with at least this many cells (and SIMD-wide rows) run on every core. */
const THREADED_CELLS = 16384;

/** A gpu.js webasm kernel built under `asyncMode`, run by WasmThreads instead of its own pool. */
interface ThreadedKernel {
  built: boolean;
  build(...args: unknown[]): void;
  _active: WasmEntry;
  constructor: { dispatchSpans: Dispatch };
}

export class ArrayExecutor implements Executor {
  readonly canReadSync = true;
  readonly longRows = true;
  readonly quads = "interleaved" as const;
  readonly textureLimit = Number.POSITIVE_INFINITY;
  #gpu: GpuInstance;
  #kernels = new Map<string, KernelFn>();
  #live = new Set<Handle>();

  #threads: WasmThreads | null;

  constructor(readonly mode: "cpu" | "webasm") {
    this.#gpu = new GPU({ mode });
    this.#threads = mode === "webasm" ? WasmThreads.start() : null;
  }

  async renderer(): Promise<string> {
    return this.mode === "webasm" ? "WebAssembly on the CPU" : "JavaScript on the CPU";
  }

  upload(values: Float32Array, _dims: Dims): Handle {
    return this.#track(values.slice());
  }

  run(source: string, out: Dims, args: readonly KernelArg[], components: 1 | 4 = 1): Handle {
    const key = kernelKey(source, out, args);
    const threaded = this.#threads !== null && out[0] % 4 === 0 && dimsSize(out) >= THREADED_CELLS;
    let kernel = this.#kernels.get(key);
    if (!kernel) {
      kernel = this.#gpu.createKernel(source, {
        ...KERNEL_SETTINGS,
        output: [...out],
        ...(threaded ? { asyncMode: true } : {}),
      });
      if (this.mode === "webasm") flatResults(kernel);
      this.#kernels.set(key, kernel);
    }
    const values = args.map((a) =>
      typeof a === "number" ? a : input(a.handle as Float32Array, [...a.dims]),
    );
    if (threaded) {
      const k = kernel.kernel as unknown as ThreadedKernel;
      if (!k.built) k.build(...values);
      assertMode(kernel, this.mode, source);
      return this.#track(this.#threads!.run(k._active, values, components, k.constructor.dispatchSpans));
    }
    const result = kernel(...values);
    assertMode(kernel, this.mode, source);
    return this.#track(flatten3(result, out, components));
  }

  readSync(handle: Handle, dims: Dims): Float32Array {
    return (handle as Float32Array).slice(0, dimsSize(dims));
  }

  async read(handle: Handle, dims: Dims): Promise<Float32Array> {
    return this.readSync(handle, dims);
  }

  view(handle: Handle, _dims: Dims): Handle {
    return this.#track((handle as Float32Array).subarray(0));
  }

  release(handle: Handle): void {
    if (!this.#live.delete(handle))
      throw new Error(`gpujs:${this.mode}: release of a handle that is not live`);
  }

  get liveHandles(): number {
    return this.#live.size;
  }

  get kernelCount(): number {
    return this.#kernels.size;
  }

  destroy(): void {
    this.#threads?.destroy();
    this.#kernels.clear();
    void this.#gpu.destroy();
  }

  #track(values: Float32Array): Handle {
    this.#live.add(values);
    return values;
  }
}

/**
 * gpu.js 2.24.1's webasm kernel copies its output region out of wasm memory, then `_shapeOutput`
 * cuts that copy into nested rows; returning the copy as is keeps it one flat array.
 */
function flatResults(kernel: KernelFn): void {
  const k = kernel.kernel as { _shapeOutput?: (data: Float32Array) => unknown } | undefined;
  if (k && typeof k._shapeOutput === "function") k._shapeOutput = (data) => data;
}
