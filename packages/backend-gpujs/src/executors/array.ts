/**
 * The cpu and webasm executors: gpu.js compiles each kernel to JavaScript or to a WebAssembly module
 * (SIMD over x where it can); data stays in flat Float32Arrays, passed in as `input(flat, dims)`.
 * Neither mode has device memory, so pipeline textures do not apply; a fresh array per run. Built
 * webasm kernels run through `runEntry` (wasm-run.ts): flat results and a fast output copy, on the
 * calling thread.
 */
import { type Dims, dimsSize } from "../layout.js";
import { GPU, type GpuInstance, input, type KernelFn } from "./gpujs.js";
import {
  assertMode,
  cachedKernel,
  type Executor,
  flatten3,
  type Handle,
  type KernelArg,
  kernelKey,
} from "./types.js";
import { BufferPool } from "./buffer-pool.js";
import { type Dispatch, runEntry, type WasmEntry } from "./wasm-run.js";

/** A gpu.js webasm kernel, run by `runEntry` once built (not through gpu.js's `run`). */
interface BuiltKernel {
  built: boolean;
  build(...args: unknown[]): void;
  _active?: WasmEntry;
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

  /** Webasm outputs are written here (cpu-mode results come from gpu.js itself). */
  #pool: BufferPool | null;

  constructor(readonly mode: "cpu" | "webasm") {
    this.#gpu = new GPU({ mode });
    this.#pool = mode === "webasm" ? new BufferPool() : null;
  }

  async renderer(): Promise<string> {
    return this.mode === "webasm" ? "WebAssembly on the CPU" : "JavaScript on the CPU";
  }

  upload(values: Float32Array, _dims: Dims): Handle {
    return this.#track(values.slice());
  }

  run(source: string, out: Dims, args: readonly KernelArg[], components: 1 | 4 = 1): Handle {
    const key = kernelKey(source, out, args);
    const kernel = cachedKernel(this.#gpu, this.#kernels, key, source, out);
    const values = args.map((a) =>
      typeof a === "number" ? a : input(a.handle as Float32Array, [...a.dims]),
    );
    const k = kernel.kernel as unknown as BuiltKernel;
    if (this.mode === "webasm" && typeof k.build === "function") {
      if (!k.built) k.build(...values);
      assertMode(kernel, this.mode, source);
      if (k._active?.f32) {
        const dispatch = k.constructor.dispatchSpans;
        const output = this.#pool!.take(k._active.cells * components);
        return this.#track(runEntry(k._active, values, output, dispatch));
      }
    }
    const result = kernel(...values);
    assertMode(kernel, this.mode, source);
    return this.#track(flatten3(result, out, components));
  }

  readSync(handle: Handle, dims: Dims): Float32Array {
    const out = new Float32Array(dimsSize(dims));
    out.set((handle as Float32Array).subarray(0, out.length));
    return out;
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
    this.#pool?.drop(handle as Float32Array);
  }

  get liveHandles(): number {
    return this.#live.size;
  }

  get kernelCount(): number {
    return this.#kernels.size;
  }

  destroy(): void {
    this.#pool?.clear();
    this.#kernels.clear();
    void this.#gpu.destroy();
  }

  #track(values: Float32Array): Handle {
    this.#live.add(values);
    this.#pool?.hold(values);
    return values;
  }
}
