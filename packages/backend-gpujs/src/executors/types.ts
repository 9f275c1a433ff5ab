/**
 * An executor runs generated gpu.js kernel sources in one gpu.js mode and owns the device handles
 * they produce: plain Float32Arrays (cpu, webasm), immutable pipeline textures (webgl, webgl2,
 * headlessgl) or pending GPU buffers (webgpu). The backend and the kernels only see `Handle`s.
 */
import type { Dims } from "../layout.js";
import type { GpuInstance, KernelFn } from "./gpujs.js";

/** The gpu.js modes this package can run on. */
export type GpujsMode = "cpu" | "webasm" | "webgl" | "webgl2" | "headlessgl" | "webgpu";

export type Handle = object;

/** A device array and the [X, Y, Z] dims it was made with. */
export interface Arg {
  readonly handle: Handle;
  readonly dims: Dims;
}

/** What a kernel takes: device arrays and float scalars (hyper-parameters, not shapes). */
export type KernelArg = Arg | number;

export interface Executor {
  readonly mode: GpujsMode;
  /** What renders: the GL renderer or WebGPU adapter string, or the CPU for the array modes. */
  renderer(): Promise<string>;
  /** Whether `readSync` works (webgpu reads back only asynchronously). */
  readonly canReadSync: boolean;
  /**
   * Whether kernels should run over long rows (GpujsBackend.grid): the flat-array modes (one call
   * per row in webasm) and webgpu (at most 65535 workgroups per dimension).
   */
  readonly longRows: boolean;
  /**
   * How kernels that return four values per thread (`return [a, b, c, d]`, run with `components`
   * 4) store them: interleaved, thread by thread, in a flat array (the array modes), one RGBA texel
   * per thread (GL), or not at all (null). See kernels/gemm.ts.
   */
  readonly quads: "interleaved" | "texels" | null;
  /** The largest texture side (GL), else Infinity. */
  readonly textureLimit: number;
  /** A device copy of `values`, shaped `dims`. */
  upload(values: Float32Array, dims: Dims): Handle;
  /**
   * Runs `source` (a gpu.js kernel function) over an output of `out` dims; returns the new handle,
   * which holds `components` (1, or 4 where `quads`) values per thread.
   */
  run(source: string, out: Dims, args: readonly KernelArg[], components?: 1 | 4): Handle;
  readSync(handle: Handle, dims: Dims): Float32Array;
  read(handle: Handle, dims: Dims): Promise<Float32Array>;
  /**
   * The same data seen with other dims of the same size (no copy: every layout is row-major, so a
   * view only changes how a flat index is cut into x, y, z). A new handle, released on its own.
   */
  view(handle: Handle, dims: Dims): Handle;
  /** Frees a handle made by `upload`, `run` or `view`. */
  release(handle: Handle): void;
  /** Handles made and not yet released. */
  readonly liveHandles: number;
  /** Distinct compiled kernels (sources x shapes). */
  readonly kernelCount: number;
  destroy(): void;
}

/** Settings every kernel gets: the SPEC's gpu.js traps. */
const KERNEL_SETTINGS = { precision: "single", tactic: "precision" } as const;

/** Settings of the modes whose results stay on the device (GL textures, WebGPU buffers), deleted explicitly. */
export const PIPELINE = { pipeline: true, immutable: true } as const;

/**
 * The kernel `cache` holds under `key`, compiled on first use from `source` over an output of `out`
 * with KERNEL_SETTINGS and the executor's own `settings`.
 */
export function cachedKernel(
  gpu: GpuInstance,
  cache: Map<string, KernelFn>,
  key: string,
  source: string,
  out: Dims,
  settings: Record<string, unknown> = {},
): KernelFn {
  let kernel = cache.get(key);
  if (!kernel) {
    kernel = gpu.createKernel(source, { ...KERNEL_SETTINGS, output: [...out], ...settings });
    cache.set(key, kernel);
  }
  return kernel;
}

/** Key of one compiled kernel: its source, output dims and the dims of its array arguments. */
export function kernelKey(source: string, out: Dims, args: readonly KernelArg[]): string {
  const shapes = args.map((a) => (typeof a === "number" ? "f" : a.dims.join("x"))).join(",");
  return `${out.join("x")}|${shapes}|${source}`;
}

/**
 * Copies gpu.js's nested [z][y][x] output into one flat array (or reuses its single backing buffer);
 * with 4 components each cell is a Float32Array(4), copied in order.
 */
export function flatten3(result: unknown, dims: Dims, components: 1 | 4 = 1): Float32Array {
  if (result instanceof Float32Array) return result;
  if (components === 4) return flattenQuads(result, dims);
  const size = dims[0] * dims[1] * dims[2];
  const planes = result as ArrayLike<ArrayLike<Float32Array | ArrayLike<number>>>;
  const first = planes[0]?.[0];
  if (first instanceof Float32Array && first.byteOffset === 0 && first.buffer.byteLength === size * 4) {
    return new Float32Array(first.buffer);
  }
  const out = new Float32Array(size);
  let o = 0;
  for (let z = 0; z < dims[2]; z++) {
    const plane = planes[z]!;
    for (let y = 0; y < dims[1]; y++) {
      const row = plane[y]!;
      if (row instanceof Float32Array) out.set(row.subarray(0, dims[0]), o);
      else for (let x = 0; x < dims[0]; x++) out[o + x] = row[x]!;
      o += dims[0];
    }
  }
  return out;
}

function flattenQuads(result: unknown, dims: Dims): Float32Array {
  const planes = result as ArrayLike<ArrayLike<ArrayLike<Float32Array>>>;
  const out = new Float32Array(dims[0] * dims[1] * dims[2] * 4);
  let o = 0;
  for (let z = 0; z < dims[2]; z++) {
    for (let y = 0; y < dims[1]; y++) {
      const row = planes[z]![y]!;
      for (let x = 0; x < dims[0]; x++, o += 4) out.set(row[x]!, o);
    }
  }
  return out;
}

/** Throws if gpu.js silently replaced a kernel by its cpu fallback (GL kernels report mode "gpu"). */
export function assertMode(
  kernel: { kernel?: { constructor: { mode?: string } } },
  mode: GpujsMode,
  source: string,
): void {
  const actual = kernel.kernel?.constructor.mode;
  if (actual === "cpu" && mode !== "cpu") {
    throw new Error(`gpujs:${mode}: gpu.js ran this kernel in mode '${actual}' instead:\n${source}`);
  }
}
