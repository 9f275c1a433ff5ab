/**
 * The reference `cpu` backend's storage: each tensor's data is a plain Float32Array on the JS heap.
 * Its kernels (the other files in this folder) are written to be read: they are the oracle every
 * other backend is tested against.
 */
import type { Backend, DataId } from "../backend.js";

export interface CpuData {
  values: Float32Array;
}

export class CpuBackend implements Backend {
  #buffers = 0;
  #bytes = 0;

  /** `name` is `cpu` for the registered backend; another name serves a second registration (tests). */
  constructor(readonly name: string = "cpu") {}

  write(values: Float32Array): DataId {
    return this.make(values.slice());
  }

  /** Wraps `values` (no copy) as new storage; kernels use it for their outputs. */
  make(values: Float32Array): CpuData {
    this.#buffers++;
    this.#bytes += values.byteLength;
    return { values };
  }

  /** The Float32Array behind a handle (kernels read and, for in-place kernels, write it). */
  values(dataId: DataId): Float32Array {
    return (dataId as CpuData).values;
  }

  readSync(dataId: DataId): Float32Array {
    return this.values(dataId).slice();
  }

  async read(dataId: DataId): Promise<Float32Array> {
    return this.readSync(dataId);
  }

  overwrite(dataId: DataId, values: Float32Array): void {
    this.values(dataId).set(values);
  }

  disposeData(dataId: DataId): void {
    this.#buffers--;
    this.#bytes -= this.values(dataId).byteLength;
  }

  memory(): { buffers: number; bytes: number } {
    return { buffers: this.#buffers, bytes: this.#bytes };
  }
}
