/**
 * A cpu backend whose `readSync` throws and whose `read` answers a task later (as gpu.js's WebGPU mode
 * does), registered as `cpu-async-reads` with the cpu kernels: code that runs on it never reads the device
 * synchronously. Its `read` copies the values at the call, as a device queue orders a read before later work.
 */
import { CpuBackend, cpuKernels, type DataId, registerBackend, registerKernels } from "@resnet-ts/tensor";

export const ASYNC = "cpu-async-reads";

class AsyncReadBackend extends CpuBackend {
  override readSync(): Float32Array {
    throw new Error(`${ASYNC}: readSync is not possible here (reads are asynchronous)`);
  }

  override read(dataId: DataId): Promise<Float32Array> {
    const values = this.values(dataId).slice();
    return new Promise((resolve) => setTimeout(() => resolve(values), 0));
  }
}

registerBackend(ASYNC, () => new AsyncReadBackend(ASYNC));
registerKernels(cpuKernels.map((k) => ({ ...k, backendName: ASYNC })));
