/**
 * The webgpu executor. gpu.js's webgpu kernels always return Promises, while the kernel contract is
 * synchronous, so a handle here is a pending GPU buffer: each run chains on its inputs' promises and
 * encodes as soon as they resolve; a buffer is destroyed only after every run that reads it has been
 * submitted. Reads are asynchronous (`readSync` throws).
 */
import type { Dims } from "../layout.js";
import { type AdapterLike, adapterName } from "../renderer.js";
import { GPU, type GpuInstance, input, type KernelFn } from "./gpujs.js";
import {
  cachedKernel,
  type Executor,
  flatten3,
  type Handle,
  type KernelArg,
  kernelKey,
  PIPELINE,
} from "./types.js";

interface BufferResult {
  toArray(): Promise<unknown>;
  delete(): void;
  clone(): BufferResult;
  output: number[];
}

class Pending {
  /** Settles once every run reading this buffer has been encoded. */
  lastUse: Promise<unknown> = Promise.resolve();
  constructor(readonly ready: Promise<BufferResult>) {}
}

const COPY = "function(a) { return a[this.thread.z][this.thread.y][this.thread.x]; }";

export class WebGpuExecutor implements Executor {
  readonly mode = "webgpu" as const;
  readonly canReadSync = false;
  readonly quads = null;
  readonly textureLimit = Number.POSITIVE_INFINITY;
  readonly longRows = true;
  #gpu: GpuInstance;
  #kernels = new Map<string, KernelFn>();
  #live = new Set<Handle>();

  constructor() {
    this.#gpu = new GPU({ mode: "webgpu" });
  }

  async renderer(): Promise<string> {
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator
      ?.gpu;
    const adapter = (await gpu?.requestAdapter()) as AdapterLike | null | undefined;
    return adapter ? adapterName(adapter) : "WebGPU adapter";
  }

  upload(values: Float32Array, dims: Dims): Handle {
    const copy = values.slice();
    return this.#run(`upload|${dims.join("x")}`, COPY, dims, [], () => [input(copy, [...dims])]);
  }

  run(source: string, out: Dims, args: readonly KernelArg[]): Handle {
    const pending = args.filter((a): a is { handle: Pending; dims: Dims } => typeof a !== "number") as {
      handle: Pending;
    }[];
    return this.#run(
      kernelKey(source, out, args),
      source,
      out,
      pending.map((a) => a.handle),
      (resolved) => {
        let i = 0;
        return args.map((a) => (typeof a === "number" ? a : resolved[i++]));
      },
    );
  }

  readSync(): Float32Array {
    throw new Error(
      "gpujs:webgpu: readSync is not possible on WebGPU (reads are asynchronous); use read() / data()",
    );
  }

  async read(handle: Handle, dims: Dims): Promise<Float32Array> {
    const result = await (handle as Pending).ready;
    return flatten3(await result.toArray(), dims).slice(0, dims[0] * dims[1] * dims[2]);
  }

  view(handle: Handle, dims: Dims): Handle {
    // A clone shares the GPU buffer (reference counted); kernels read an argument's dims from it.
    const source = handle as Pending;
    const ready = source.ready.then((result) => {
      const view = result.clone();
      view.output = [...dims];
      return view;
    });
    source.lastUse = Promise.all([source.lastUse, ready]).catch(() => undefined);
    const view = new Pending(ready);
    this.#live.add(view);
    return view;
  }

  release(handle: Handle): void {
    if (!this.#live.delete(handle)) throw new Error("gpujs:webgpu: release of a buffer that is not live");
    const p = handle as Pending;
    Promise.all([p.ready, p.lastUse]).then(
      ([result]) => result.delete(),
      () => undefined,
    );
  }

  get liveHandles(): number {
    return this.#live.size;
  }

  get kernelCount(): number {
    return this.#kernels.size;
  }

  destroy(): void {
    for (const h of [...this.#live]) this.release(h);
    this.#kernels.clear();
    void this.#gpu.destroy();
  }

  #run(
    key: string,
    source: string,
    out: Dims,
    inputs: readonly Pending[],
    values: (resolved: BufferResult[]) => unknown[],
  ): Handle {
    const k = cachedKernel(this.#gpu, this.#kernels, key, source, out, PIPELINE);
    const ready = Promise.all(inputs.map((p) => p.ready)).then(
      (resolved) => k(...values(resolved)) as Promise<BufferResult>,
    );
    for (const p of inputs) p.lastUse = Promise.all([p.lastUse, ready]).catch(() => undefined);
    const handle = new Pending(ready);
    this.#live.add(handle);
    return handle;
  }
}
