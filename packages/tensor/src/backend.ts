/**
 * What a backend is: a place where tensor data lives (host memory, a WebAssembly heap, GPU textures)
 * plus an implementation of the kernels in `kernels.ts` that work on that data. The core never looks
 * inside a backend's storage; it only moves data in (`write`) and out (`readSync` / `read`) and asks
 * the backend to run kernels by name.
 */
import {
  KERNEL_NAMES,
  type KernelAttrs,
  type KernelInputs,
  type KernelName,
  type KernelOutput,
} from "./kernels.js";

/** A backend's handle to one block of float32 storage. Opaque to the core. */
export type DataId = object;

export interface Backend {
  /** The registered name, e.g. `cpu` or `gpujs:webgl`. */
  readonly name: string;
  /** Stores a copy of `values` and returns its handle. */
  write(values: Float32Array): DataId;
  /** Reads the stored values back; throws if the backend can only read asynchronously. */
  readSync(dataId: DataId): Float32Array;
  /** Reads the stored values back. */
  read(dataId: DataId): Promise<Float32Array>;
  /** Overwrites stored values in place (same length). */
  overwrite(dataId: DataId, values: Float32Array): void;
  /** Frees the storage. Using the handle afterwards is an error. */
  disposeData(dataId: DataId): void;
  /** Live storage blocks and bytes, for leak checks. */
  memory(): { buffers: number; bytes: number };
  /** Releases everything the backend holds (workers, contexts). */
  destroy?(): void;
}

/** A kernel implementation: reads its inputs' storage on `backend`, returns fresh outputs. */
export type KernelFunc<K extends KernelName, B extends Backend = Backend> = (
  backend: B,
  inputs: KernelInputs<K>,
  attrs: KernelAttrs<K>,
) => KernelOutput<K>;

/** One registry entry, as a backend's kernel files export it. */
export interface KernelConfig<K extends KernelName = KernelName, B extends Backend = Backend> {
  kernelName: K;
  backendName: string;
  kernelFunc: KernelFunc<K, B>;
}

/**
 * A complete backend's kernels: one entry per name of the contract, each checked against its own name's
 * inputs, attributes and output. A missing kernel, or a kernel under the wrong name, fails to compile.
 */
export type KernelTable<B extends Backend> = { readonly [K in KernelName]: KernelConfig<K, B> };

/** A registry entry for some kernel name (lists of a backend's kernels). */
export type AnyKernelConfig<B extends Backend = Backend> = KernelTable<B>[KernelName];

/** A kernel table's entries in contract order. */
export function kernelList<B extends Backend>(table: KernelTable<B>): AnyKernelConfig<B>[] {
  return KERNEL_NAMES.map((name) => table[name]);
}
