/**
 * The wasm instances the parity tests run on, registered under their own names: the default one, one
 * with an uneven thread count (the work splitting) and one without relaxed SIMD (the plain mul + add
 * module) on a single thread.
 */
import { registerBackend } from "@resnet-ts/tensor";
import { createWasmBackend, registerWasmBackend } from "../src/index.js";

registerWasmBackend();
registerBackend("wasm-3", () => createWasmBackend({ threads: 3 }));
registerBackend("wasm-plain", () => createWasmBackend({ threads: 1, relaxedSimd: false }));

export const WASM_INSTANCES = ["wasm", "wasm-3", "wasm-plain"] as const;
