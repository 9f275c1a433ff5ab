/**
 * Where gpujs is known to fall short of the reference in the browser parity run, as
 * `"<kernel> [<case>]"` keys with the reason. Every mode uses the suite's default tolerance: the GPU
 * modes on SwiftShader (float32, as a GPU computes) pass it on every other case, so no looser setting
 * is kept; the Node modes (cpu, webasm) pass every case.
 */

/**
 * Cases skipped on the GPU modes (webgl2, webgpu), which run GLSL / WGSL: neither language requires
 * NaN to be kept (WGSL lets the compiler assume there is none) and gpu.js kernels have no isNaN, so
 * no kernel source can be relied on to keep ReLU's NaN.
 */
export const GPU_SKIPPED_CASES: Readonly<Record<string, string>> = {
  "Relu [x 2x2x6x6 NaN, infinities, signed zeros]": "the shader's max(NaN, 0) is 0, not NaN",
};
