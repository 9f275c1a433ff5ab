/**
 * @resnet-ts/backend-wasm: a fast CPU backend. Kernels are WebAssembly SIMD (relaxed SIMD's fused
 * multiply-add where the engine has it), tensors live in one shared WebAssembly memory, and the
 * GEMM-shaped work (convolutions, their gradients, MatMul) and the big elementwise kernels run on
 * every core through worker threads. Call `registerWasmBackend()` then `setBackend()`.
 */
export { WasmBackend, WasmData } from "./backend.js";
export { createWasmBackend, registerWasmBackend, wasmKernels } from "./register.js";
export type { WasmBackendOptions } from "./runtime.js";
export { WasmRuntime } from "./runtime.js";
