/**
 * The cpu and webasm executors: gpu.js compiles each kernel to JavaScript or to a WebAssembly module
 * (SIMD over x where it can); data stays in flat Float32Arrays, passed in as `input(flat, dims)`.
 * Neither mode has device memory, so pipeline textures do not apply; a fresh array per run.
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

export class ArrayExecutor implements Executor {
  readonly canReadSync = true;
  readonly longRows = true;
  #gpu: GpuInstance;
  #kernels = new Map<string, KernelFn>();
  #live = new Set<Handle>();

  constructor(readonly mode: "cpu" | "webasm") {
    this.#gpu = new GPU({ mode });
  }

  async renderer(): Promise<string> {
    return this.mode === "webasm" ? "WebAssembly on the CPU" : "JavaScript on the CPU";
  }

  upload(values: Float32Array, _dims: Dims): Handle {
    return this.#track(values.slice());
  }

  run(source: string, out: Dims, args: readonly KernelArg[]): Handle {
    const key = kernelKey(source, out, args);
    let kernel = this.#kernels.get(key);
    if (!kernel) {
      kernel = this.#gpu.createKernel(source, { ...KERNEL_SETTINGS, output: [...out] });
      this.#kernels.set(key, kernel);
    }
    const values = args.map((a) =>
      typeof a === "number" ? a : input(a.handle as Float32Array, [...a.dims]),
    );
    const result = kernel(...values);
    assertMode(kernel, this.mode, source);
    return this.#track(flatten3(result, out));
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
    this.#kernels.clear();
    void this.#gpu.destroy();
  }

  #track(values: Float32Array): Handle {
    this.#live.add(values);
    return values;
  }
}
