/**
 * The GL executors (webgl2, webgl, headlessgl): every kernel renders into a fresh float texture
 * (`pipeline: true, immutable: true`), textures feed the next kernels without leaving the GPU, and
 * `release` deletes them. Only reads come back to the host.
 */
import { type Dims, dimsSize } from "../layout.js";
import { type GlRendererContext, glRenderer } from "../renderer.js";
import { GPU, type GpuInstance, input, type KernelFn } from "./gpujs.js";
import {
  assertMode,
  cachedKernel,
  type Executor,
  flatten3,
  type Handle,
  type KernelArg,
  kernelKey,
  PIPELINE,
} from "./types.js";

interface GlTexture {
  /** The texture's own [width, height]. */
  size: number[];
  toArray(): unknown;
  delete(): void;
  clone(): GlTexture;
  output: number[];
  dimensions: number[];
}

/** The WebGL calls `renderer()` and `textureLimit` make. */
interface GlContext extends GlRendererContext {
  MAX_TEXTURE_SIZE: number;
}

const COPY = "function(a) { return a[this.thread.z][this.thread.y][this.thread.x]; }";

export class GlExecutor implements Executor {
  readonly canReadSync = true;
  readonly quads = "texels" as const;
  readonly longRows = false;
  #gpu: GpuInstance;
  #kernels = new Map<string, KernelFn>();
  #live = new Set<Handle>();

  constructor(readonly mode: "webgl2" | "webgl" | "headlessgl") {
    this.#gpu = new GPU({ mode });
  }

  get textureLimit(): number {
    const gl = (this.#gpu as unknown as { context?: GlContext | null }).context;
    return gl ? Number(gl.getParameter(gl.MAX_TEXTURE_SIZE)) : 2048;
  }

  async renderer(): Promise<string> {
    const gl = (this.#gpu as unknown as { context?: GlContext | null }).context;
    return gl ? glRenderer(gl) : "unknown GL renderer";
  }

  upload(values: Float32Array, dims: Dims): Handle {
    return this.#run(`upload|${dims.join("x")}`, COPY, dims, [input(values, [...dims])]);
  }

  run(source: string, out: Dims, args: readonly KernelArg[]): Handle {
    const values = args.map((a) => (typeof a === "number" ? a : a.handle));
    // gpu.js bakes an argument texture's size into the compiled kernel, and a view keeps the size
    // of the texture it shares: kernels are per texture size too.
    const sizes = values.map((v) => (typeof v === "number" ? "f" : (v as GlTexture).size.join("x")));
    return this.#run(`${kernelKey(source, out, args)}|${sizes.join(",")}`, source, out, values);
  }

  readSync(handle: Handle, dims: Dims): Float32Array {
    return flatten3((handle as GlTexture).toArray(), dims).slice(0, dimsSize(dims));
  }

  async read(handle: Handle, dims: Dims): Promise<Float32Array> {
    return this.readSync(handle, dims);
  }

  view(handle: Handle, dims: Dims): Handle {
    // A clone shares the GL texture (reference counted); kernels take an argument's dims from it.
    const view = (handle as GlTexture).clone();
    view.output = [...dims];
    view.dimensions = [...dims];
    this.#live.add(view);
    return view;
  }

  release(handle: Handle): void {
    if (!this.#live.delete(handle))
      throw new Error(`gpujs:${this.mode}: release of a texture that is not live`);
    (handle as GlTexture).delete();
  }

  get liveHandles(): number {
    return this.#live.size;
  }

  get kernelCount(): number {
    return this.#kernels.size;
  }

  destroy(): void {
    for (const t of this.#live) (t as GlTexture).delete();
    this.#live.clear();
    this.#kernels.clear();
    void this.#gpu.destroy();
  }

  #run(key: string, source: string, out: Dims, values: unknown[]): Handle {
    const kernel = cachedKernel(this.#gpu, this.#kernels, key, source, out, PIPELINE);
    const texture = kernel(...values) as Handle;
    assertMode(kernel, this.mode, source);
    this.#live.add(texture);
    return texture;
  }
}
