/**
 * The `wasm` backend's storage: every tensor is a block of the runtime's shared WebAssembly memory.
 * A DataId holds the block's byte offset and its length in floats. Scratch space for the kernels
 * (packed panels, padded copies, per-thread partial sums) lasts for one kernel call: it is handed back to
 * the allocator when the kernel returns, so that what one kernel needed serves the next one's tensors.
 */
import type { Backend, DataId } from "@resnet-ts/tensor";
import type { Block } from "./allocator.js";
import type { WasmRuntime } from "./runtime.js";
import type { WinogradTile } from "./kernels/winograd.js";

export class WasmData implements Block {
  constructor(
    readonly ptr: number,
    readonly capacity: number,
    readonly length: number,
  ) {}
  disposed = false;
}

export class WasmBackend implements Backend {
  readonly name = "wasm";
  readonly runtime: WasmRuntime;
  #buffers = 0;
  #bytes = 0;
  #peakBytes = 0;
  readonly #scratch = new Map<string, Block>();

  /**
   * Whether stride-1 3x3 convolutions may run by Winograd (src/kernels/winograd.ts): true with the tile
   * chosen per shape, 2, 3 or 4 with that tile wherever Winograd fits.
   */
  readonly winograd: boolean | WinogradTile;

  constructor(runtime: WasmRuntime, { winograd = true }: { winograd?: boolean | WinogradTile } = {}) {
    this.runtime = runtime;
    this.winograd = winograd;
  }

  /** Fresh uninitialised storage for `length` floats. */
  make(length: number): WasmData {
    const block = this.runtime.allocator.alloc(Math.max(length, 1) * 4);
    this.#buffers++;
    this.#bytes += length * 4;
    this.#peakBytes = Math.max(this.#peakBytes, this.#bytes);
    return new WasmData(block.ptr, block.capacity, length);
  }

  data(dataId: DataId): WasmData {
    const d = dataId as WasmData;
    if (!(d instanceof WasmData))
      throw new Error("wasm backend: the handle does not belong to the wasm backend");
    if (d.disposed) throw new Error("wasm backend: the storage was used after it was disposed");
    return d;
  }

  /** Byte offset of a tensor's storage, for kernel arguments. */
  ptr(dataId: DataId): number {
    return this.data(dataId).ptr;
  }

  /** A Float32Array view of a tensor's storage (valid until the memory grows). */
  view(dataId: DataId): Float32Array {
    const d = this.data(dataId);
    return this.runtime.f32.subarray(d.ptr >> 2, (d.ptr >> 2) + d.length);
  }

  write(values: Float32Array): DataId {
    const d = this.make(values.length);
    this.runtime.f32.set(values, d.ptr >> 2);
    return d;
  }

  readSync(dataId: DataId): Float32Array {
    return this.view(dataId).slice();
  }

  async read(dataId: DataId): Promise<Float32Array> {
    return this.readSync(dataId);
  }

  overwrite(dataId: DataId, values: Float32Array): void {
    const d = this.data(dataId);
    if (values.length !== d.length) {
      throw new Error(`wasm backend: overwrite with ${values.length} values, the storage holds ${d.length}`);
    }
    this.runtime.f32.set(values, d.ptr >> 2);
  }

  disposeData(dataId: DataId): void {
    const d = this.data(dataId);
    d.disposed = true;
    this.#buffers--;
    this.#bytes -= d.length * 4;
    this.runtime.allocator.free(d);
  }

  memory(): { buffers: number; bytes: number } {
    return { buffers: this.#buffers, bytes: this.#bytes };
  }

  /**
   * A scratch region of at least `bytes` bytes under `slot`, the same one for every request of the slot
   * until the kernel returns (`kernelScope`; a larger request moves it); returns its offset.
   */
  scratch(slot: string, bytes: number): number {
    const have = this.#scratch.get(slot);
    if (have && have.capacity >= bytes) return have.ptr;
    if (have) this.runtime.allocator.free(have);
    const block = this.runtime.allocator.alloc(Math.max(bytes, 64));
    this.#scratch.set(slot, block);
    return block.ptr;
  }

  /** Runs one kernel: its scratch space goes back to the allocator when it returns (or throws). */
  kernelScope<T>(fn: () => T): T {
    try {
      return fn();
    } finally {
      for (const block of this.#scratch.values()) this.runtime.allocator.free(block);
      this.#scratch.clear();
    }
  }

  /** The most bytes of live tensors so far. */
  peakBytes(): number {
    return this.#peakBytes;
  }

  /** The heap's high-water mark (tensors, scratch and free blocks): what the process holds for this backend. */
  heapBytes(): number {
    return this.runtime.allocator.heapBytes;
  }

  destroy(): void {
    this.runtime.destroy();
  }
}
