/**
 * Registers `gpujs` (automatic mode choice) and one backend per gpu.js mode that can exist here
 * (`gpujs:webasm`, `gpujs:cpu`, `gpujs:webgl2`, ...), each with every kernel of the contract.
 * Priorities: below the reference `cpu` backend in Node (which stays the default there), above it in
 * browsers for `gpujs` itself; pick one explicitly with `setBackend('gpujs')`.
 */
import {
  KERNEL_NAMES,
  type KernelConfig,
  type KernelName,
  registerBackend,
  registerKernels,
} from "@resnet-ts/tensor";
import { GpujsBackend } from "./backend.js";
import type { Executor } from "./executors/types.js";
import { gpujsImpls } from "./kernels/index.js";
import { candidateModes, isBrowser, startAuto, startExecutor } from "./modes.js";

/** Every kernel of the contract for backend `name`, each run inside a kernel scope. */
export function gpujsKernelConfigs(name: string): KernelConfig<never, never>[] {
  return KERNEL_NAMES.map((kernelName: KernelName) => {
    const impl = gpujsImpls[kernelName] as (b: GpujsBackend, i: unknown, a: unknown) => unknown;
    return {
      kernelName,
      backendName: name,
      kernelFunc: (backend: GpujsBackend, inputs: unknown, attrs: unknown) =>
        backend.kernelScope(() => impl(backend, inputs, attrs)),
    } as unknown as KernelConfig<never, never>;
  });
}

/** Registers the backends and their kernels (again, e.g. after installing a `navigator.gpu` shim). */
export function registerGpujsBackends(): string[] {
  const names: string[] = [];
  const start = async (name: string, executor: Executor) =>
    new GpujsBackend(name, executor, await executor.renderer());
  registerBackend("gpujs", async () => start("gpujs", await startAuto()), { priority: isBrowser ? 1 : -1 });
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
