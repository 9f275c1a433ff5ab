/** The bilinear resize (assembly/resize.ts); threads split the n*c planes. */
import type { KernelConfig } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import { PARALLEL_MIN } from "./elementwise.js";

export const resizeBilinear: KernelConfig<"ResizeBilinear", WasmBackend> = {
  kernelName: "ResizeBilinear",
  backendName: "wasm",
  kernelFunc: (backend, { x }, { size }) => {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const [oh, ow] = size;
    const out = backend.make(n * c * oh * ow);
    const args = { x: backend.ptr(x.dataId), out: out.ptr, n, c, h, w, oh, ow };
    backend.runtime.run("k_resizeBilinear", args, n * c * oh * ow >= PARALLEL_MIN);
    return { dataId: out, shape: [n, c, oh, ow] };
  },
};
