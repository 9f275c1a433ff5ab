/**
 * The wasm instances the parity tests run on, registered under their own names: the default one, one
 * with an uneven thread count (the work splitting) and one without relaxed SIMD (the plain mul + add
 * module) on a single thread; and the tolerance of convolutions that may run by Winograd.
 */
import { registerBackend } from "@resnet-ts/tensor";
import { createWasmBackend, registerWasmBackend } from "../src/index.js";

registerWasmBackend();
registerBackend("wasm-3", () => createWasmBackend({ threads: 3 }));
registerBackend("wasm-plain", () => createWasmBackend({ threads: 1, relaxedSimd: false }));

export const WASM_INSTANCES = ["wasm", "wasm-3", "wasm-plain"] as const;

/**
 * Convolutions: the suites' rule plus 3e-5 of the output's largest value. Winograd F(4x4, 3x3)'s
 * transforms scale values by up to 8 and by 1/24, so its error is relative to the largest value a tile
 * meets (measured by bench/winograd-accuracy.mjs on ResNet's stage shapes: 2e-6 to 1.4e-5 of the largest
 * output, against 3e-7 to 2e-6 for F(2x2, 3x3) and the GEMMs); a wrong coefficient of 5e-4 fails it.
 */
export const WINOGRAD_TOLERANCE = { ofMax: 3e-5 };
