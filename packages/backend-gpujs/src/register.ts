/**
 * Registers `gpujs` (automatic mode choice) and one backend per gpu.js mode that can exist here
 * (`gpujs:webasm`, `gpujs:cpu`, `gpujs:webgl2`, ...), each with every kernel of the contract.
 * Priorities: `gpujs` itself is 1, above the reference `cpu` backend (0: gpu.js's webasm mode trains
 * ResNet-18 about 6x faster in Node) and below the wasm backend (10); the per-mode names are -2.
 */
import {
  KERNEL_NAMES,
  type AnyKernelConfig,
  type KernelName,
  registerBackend,
  registerKernels,
} from "@resnet-ts/tensor";
import { GpujsBackend } from "./backend.js";
import type { Executor } from "./executors/types.js";
import { gpujsImpls } from "./kernels/index.js";
import { candidateModes, startAuto, startExecutor } from "./modes.js";

/** Every kernel of the contract for backend `name`, each run inside a kernel scope. */
export function gpujsKernelConfigs(name: string): AnyKernelConfig<GpujsBackend>[] {
  return KERNEL_NAMES.map((kernelName: KernelName) => {
    const impl = gpujsImpls[kernelName] as (b: GpujsBackend, i: unknown, a: unknown) => unknown;
    return {
      kernelName,
      backendName: name,
      kernelFunc: (backend: GpujsBackend, inputs: unknown, attrs: unknown) =>
        backend.kernelScope(() => impl(backend, inputs, attrs)),
    } as AnyKernelConfig<GpujsBackend>;
  });
}

/** Registers the backends and their kernels (again, e.g. after installing a `navigator.gpu` shim). */
export function registerGpujsBackends(): string[] {
  const names: string[] = [];
  const start = async (name: string, executor: Executor) =>
    new GpujsBackend(name, executor, await executor.renderer());
  registerBackend("gpujs", async () => start("gpujs", await startAuto()), { priority: 1 });
  registerKernels(gpujsKernelConfigs("gpujs"));
  names.push("gpujs");
  for (const mode of candidateModes()) {
    const name = `gpujs:${mode}`;
    registerBackend(name, async () => start(name, await startExecutor(mode)), { priority: -2 });
    registerKernels(gpujsKernelConfigs(name));
    names.push(name);
  }
  return names;
}

registerGpujsBackends();
