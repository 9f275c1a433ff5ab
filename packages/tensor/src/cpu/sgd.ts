/** The in-place SGD update, PyTorch's rule (see the contract in kernels.ts). */
import type { KernelConfig } from "../backend.js";
import type { CpuBackend } from "./backend.js";

export const sgdUpdate: KernelConfig<"SgdUpdate", CpuBackend> = {
  kernelName: "SgdUpdate",
  backendName: "cpu",
  kernelFunc: (
    backend,
    { param, grad, momentumBuf },
    { lr, momentum, dampening, weightDecay, nesterov, firstStep },
  ) => {
    const p = backend.values(param.dataId);
    const g = backend.values(grad.dataId);
    const buf = momentumBuf ? backend.values(momentumBuf.dataId) : null;
    for (let i = 0; i < p.length; i++) {
      let d = g[i]! + weightDecay * p[i]!;
      if (buf && momentum > 0) {
        buf[i] = firstStep ? d : momentum * buf[i]! + (1 - dampening) * d;
        d = nesterov ? d + momentum * buf[i]! : buf[i]!;
      }
      p[i]! -= lr * d;
    }
    return undefined;
  },
};
