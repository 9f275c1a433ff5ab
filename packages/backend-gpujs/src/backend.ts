/**
 * The gpu.js backend: tensor storage is a device handle (texture, GPU buffer or array, see
 * executors/) plus the [X, Y, Z] dims it was made with. Host data written by the core is uploaded
 * lazily, on first use, in the dims that use wants; a storage read with other dims than it has is
 * viewed with them (every layout is row-major, so a view is free: see Executor.view). Kernels run
 * inside `kernelScope`, which frees every temporary (partial sums, views) they made.
 */
import type { Backend, DataId, TensorInfo } from "@resnet-ts/tensor";
import type { Executor, Handle, KernelArg, Arg, GpujsMode } from "./executors/types.js";
import { type Dims, dimsSize, naturalDims, sameDims } from "./layout.js";
import { isSoftwareRenderer } from "./renderer.js";

export interface GpuData {
  handle: Handle | null;
  dims: Dims;
  readonly size: number;
  /** Host values not uploaded yet (or kept, when small, for host-side checks such as label ranges). */
  host: Float32Array | null;
}

/** Longest row of the long-row thread grid (flat-array modes and webgpu). */
const ROW_LIMIT = 2 ** 18;

/** The thread-id line of kernels/source.ts's THREAD. */
export const THREAD_IDS = "const tx = this.thread.x; const ty = this.thread.y; const tz = this.thread.z;";

/** Written values up to this many elements keep their host copy after upload. */
const KEEP_HOST = 4096;

/** Long-row dims [X, size / X, 1] for `size` values: X the largest divisor up to ROW_LIMIT, a multiple of 4 if one is. */
function rows(size: number): Dims {
  let best = 1;
  for (let x = Math.min(size, ROW_LIMIT); x > 1; x--) {
    if (size % x !== 0) continue;
    if (x % 4 === 0) return [x, size / x, 1];
    if (best === 1) best = x;
  }
  return [best, size / best, 1];
}

export class GpujsBackend implements Backend {
  #storages = 0;
  #bytes = 0;
  #scopes: Handle[][] = [];
  #grids = new Map<string, { out: Dims; head: string }>();

  constructor(
    /** The registered name, e.g. `gpujs` or `gpujs:webasm`. */
    readonly name: string,
    readonly executor: Executor,
    /** What renders (GL renderer / WebGPU adapter string, or the CPU for webasm and cpu). */
    readonly renderer = "",
  ) {}

  /**
   * Whether the GPU mode runs on a software renderer (SwiftShader, llvmpipe): there the reference cpu
   * or a WebAssembly backend is faster (see the README's numbers).
   */
  get software(): boolean {
    return isSoftwareRenderer(this.renderer);
  }

  /** The gpu.js mode that actually runs the kernels. */
  get mode(): GpujsMode {
    return this.executor.mode;
  }

  write(values: Float32Array): DataId {
    return this.#make(null, [values.length, 1, 1], values.slice());
  }

  readSync(dataId: DataId): Float32Array {
    const d = this.#data(dataId);
    if (d.handle === null) return d.host!.slice();
    return this.executor.readSync(d.handle, d.dims);
  }

  async read(dataId: DataId): Promise<Float32Array> {
    const d = this.#data(dataId);
    if (d.handle === null) return d.host!.slice();
    return this.executor.read(d.handle, d.dims);
  }

  overwrite(dataId: DataId, values: Float32Array): void {
    const d = this.#data(dataId);
    if (values.length !== d.size) {
      throw new Error(`${this.name}: overwrite expected ${d.size} values, got ${values.length}`);
    }
    if (d.handle !== null) this.executor.release(d.handle);
    d.handle = null;
    d.dims = [d.size, 1, 1];
    d.host = values.slice();
  }

  disposeData(dataId: DataId): void {
    const d = this.#data(dataId);
    if (d.handle !== null) this.executor.release(d.handle);
    d.handle = null;
    d.host = null;
    this.#storages--;
    this.#bytes -= d.size * 4;
  }

  /** Live storages (`buffers`, `bytes`), live device handles (textures, GPU buffers, arrays) and compiled kernels. */
  memory(): { buffers: number; bytes: number; handles: number; kernels: number } {
    return {
      buffers: this.#storages,
      bytes: this.#bytes,
      handles: this.executor.liveHandles,
      kernels: this.executor.kernelCount,
    };
  }

  destroy(): void {
    this.executor.destroy();
  }

  // ---- for kernels ----

  /** Runs a kernel body; every temporary made inside is released when it returns. */
  kernelScope<T>(fn: () => T): T {
    const temps: Handle[] = [];
    this.#scopes.push(temps);
    try {
      return fn();
    } finally {
      this.#scopes.pop();
      for (const h of temps) this.executor.release(h);
    }
  }

  /**
   * A tensor's storage as a kernel argument with dims `want` (default: the dims it has, or its
   * natural dims if it is not on the device yet).
   */
  arg(t: TensorInfo, want?: Dims): Arg {
    const d = this.#data(t.dataId);
    if (d.handle === null) {
      const dims = want ?? naturalDims(t.shape);
      const upload = this.executor.longRows ? rows(d.size) : dims;
      d.handle = this.executor.upload(d.host!, upload);
      d.dims = upload;
      if (d.size > KEEP_HOST) d.host = null;
      return this.view({ handle: d.handle, dims: upload }, dims);
    }
    return this.view({ handle: d.handle, dims: d.dims }, want ?? d.dims);
  }

  /**
   * The thread grid for an output of (natural) dims `out`: the dims to run over and source lines
   * that set `tx`, `ty`, `tz` to the element's coordinates in `out`. GL runs `out` itself.
   * The flat-array modes run long rows instead ([planes * X * Y, rows, 1]): gpu.js's webasm mode
   * makes a JS call and a sub-array per row (and vectorises only rows of a multiple of 4), so
   * outputs such as a 3x3 filter gradient [3, 3, O*C] would cost one call per 3 values. Every
   * in-kernel index stays below 2^18 either way, far from float32's 2^24. WebGPU runs long rows
   * too: it allows at most 65535 workgroups per dimension (a [3, 3, 512*512] filter gradient).
   */
  grid(out: Dims): { out: Dims; head: string } {
    const key = out.join("x");
    let g = this.#grids.get(key);
    if (!g) {
      g = this.#makeGrid(out);
      this.#grids.set(key, g);
    }
    return g;
  }

  #makeGrid(out: Dims): { out: Dims; head: string } {
    const [x, y, z] = out;
    const plane = x * y;
    if (!this.executor.longRows || plane > ROW_LIMIT) return { out, head: THREAD_IDS };
    // The array modes run a single plane of SIMD-wide rows in one pass: no coordinates to decode.
    if (this.executor.quads === "interleaved" && z === 1 && (x % 4 === 0 || y === 1))
      return { out, head: THREAD_IDS };
    let planes = 1;
    for (let p = 1; p <= z && p * plane <= ROW_LIMIT; p++) {
      if (z % p !== 0) continue;
      if ((p * plane) % 4 === 0 || (planes * plane) % 4 !== 0) planes = p;
    }
    const head = `const gridT = this.thread.x;
const gridP = Math.floor((gridT + 0.5) / ${plane});
const gridR = gridT - gridP * ${plane};
const ty = Math.floor((gridR + 0.5) / ${x});
const tx = gridR - ty * ${x};
const tz = this.thread.y * ${planes} + gridP;`;
    return { out: [planes * plane, z / planes, 1], head };
  }

  /**
   * Dims for a kernel that maps elements one to one (every argument seen with these dims, indexed
   * by the thread ids themselves): long rows where the grid would decode coordinates (the array
   * modes, webgpu), else the dims `t` is stored with.
   */
  elementwiseDims(t: TensorInfo): Dims {
    const d = this.#data(t.dataId);
    if (this.executor.longRows) return rows(d.size);
    return d.handle === null ? naturalDims(t.shape) : d.dims;
  }

  /** `arg(t)` in the tensor's natural dims (what the structured kernels index). */
  natural(t: TensorInfo): Arg {
    return this.arg(t, naturalDims(t.shape));
  }

  /** `a` seen with dims `want` (a view, no copy; released with the kernel scope). */
  view(a: Arg, want: Dims): Arg {
    if (sameDims(a.dims, want)) return a;
    if (dimsSize(want) !== dimsSize(a.dims)) {
      throw new Error(`${this.name}: cannot view [${a.dims}] as [${want}] (internal layout error)`);
    }
    return this.#temp(this.executor.view(a.handle, want), want);
  }

  /** Values kept on the host for a storage, when any (small written tensors). */
  hostValues(t: TensorInfo): Float32Array | null {
    return this.#data(t.dataId).host;
  }

  /**
   * Runs a kernel whose output is a temporary of the current kernel scope. Kernels whose source
   * sets the thread ids with THREAD (kernels/source.ts) run over `grid(out)`; the result then has
   * the grid's dims (the same data, cut into other rows).
   */
  temp(source: string, out: Dims, args: readonly KernelArg[]): Arg {
    const r = this.#launch(source, out, args);
    return this.#temp(r.handle, r.dims);
  }

  /**
   * Runs a kernel that returns four values per thread (where `executor.quads`) over `out`, as is
   * (no grid): a temporary of dims `out` (texels) or [4 * X, Y, Z] (interleaved: thread (x, y, z)'s
   * values at x' = 4x .. 4x + 3).
   */
  quadTemp(source: string, out: Dims, args: readonly KernelArg[]): Arg {
    const dims: Dims = this.executor.quads === "texels" ? out : [out[0] * 4, out[1], out[2]];
    return this.#temp(this.executor.run(source, out, args, 4), dims);
  }

  /** Runs a kernel (as `temp` does) whose output becomes a new tensor of `shape`. */
  output(source: string, out: Dims, args: readonly KernelArg[], shape: readonly number[]): TensorInfo {
    const r = this.#launch(source, out, args);
    return { dataId: this.#make(r.handle, r.dims, null), shape: [...shape] };
  }

  /** Wraps a temporary as a new tensor (it leaves the kernel scope). */
  adopt(a: Arg, shape: readonly number[]): TensorInfo {
    const temps = this.#scopes[this.#scopes.length - 1];
    const i = temps?.indexOf(a.handle) ?? -1;
    if (temps && i >= 0) temps.splice(i, 1);
    return { dataId: this.#make(a.handle, a.dims, null), shape: [...shape] };
  }

  /** In-place update: `t`'s storage takes the output of a kernel (which may read `t`). */
  replace(t: TensorInfo, source: string, out: Dims, args: readonly KernelArg[]): void {
    const d = this.#data(t.dataId);
    const next = this.#launch(source, out, args);
    if (d.handle !== null) this.executor.release(d.handle);
    d.handle = next.handle;
    d.dims = next.dims;
    d.host = null;
  }

  /** Runs `source`; one that starts with THREAD_IDS runs over `grid(out)` instead of `out`. */
  #launch(source: string, out: Dims, args: readonly KernelArg[]): { handle: Handle; dims: Dims } {
    if (!source.includes(THREAD_IDS)) return { handle: this.executor.run(source, out, args), dims: out };
    const g = this.grid(out);
    return { handle: this.executor.run(source.replace(THREAD_IDS, g.head), g.out, args), dims: g.out };
  }

  #temp(handle: Handle, dims: Dims): Arg {
    const temps = this.#scopes[this.#scopes.length - 1];
    if (!temps) throw new Error(`${this.name}: a temporary was made outside a kernel scope`);
    temps.push(handle);
    return { handle, dims };
  }

  #make(handle: Handle | null, dims: Dims, host: Float32Array | null): GpuData {
    const size = dimsSize(dims);
    this.#storages++;
    this.#bytes += size * 4;
    return { handle, dims, size, host };
  }

  #data(dataId: DataId): GpuData {
    return dataId as GpuData;
  }
}
