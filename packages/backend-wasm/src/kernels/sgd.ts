/** The in-place SGD update (assembly/sgd.ts). */
import type { KernelConfig } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import { PARALLEL_MIN } from "./elementwise.js";

export const sgdUpdate: KernelConfig<"SgdUpdate", WasmBackend> = {
  kernelName: "SgdUpdate",
  backendName: "wasm",
  kernelFunc: (
    backend,
    { param, grad, momentumBuf },
    { lr, momentum, dampening, weightDecay, nesterov, firstStep },
  ) => {
    const len = backend.data(param.dataId).length;
    const buf = momentumBuf && momentum > 0 ? backend.ptr(momentumBuf.dataId) : 0;
    backend.runtime.run(
      "k_sgd",
      {
        param: backend.ptr(param.dataId),
        grad: backend.ptr(grad.dataId),
        buf,
        len,
        lr,
        momentum,
        dampening,
        weightDecay,
        nesterov: nesterov ? 1 : 0,
        firstStep: firstStep ? 1 : 0,
      },
      len >= PARALLEL_MIN,
    );
    return undefined;
  },
};
