/**
 * Where gpujs is known to fall short of the reference, shared by the Node and browser parity runs,
 * as `"<kernel> [<case>]"` keys with the reason. Every mode uses the suite's default tolerance: the
 * GPU modes on SwiftShader (float32, as a GPU computes) pass it on every other case, so no looser
 * setting is kept.
 */

/** Cases skipped on every gpujs mode. */
export const GPUJS_SKIPPED_CASES: Readonly<Record<string, string>> = {
  "BatchNormTrain [x 16x4x6x6 in [999.9, 1000.1)]":
    "float32 channel sums: the mean of values near 1000 is off by ~1e-4 (the reference sums in float64), " +
    "2e-3 of their spread once normalised",
};

const ZERO_DEPTH = "gpu.js rejects a kernel with a zero-sized output (the k = 0 product's partial sums)";

/** Cases skipped besides on the GPU modes (webgl2, webgpu), which run GLSL / WGSL. */
export const GPU_SKIPPED_CASES: Readonly<Record<string, string>> = {
  ...GPUJS_SKIPPED_CASES,
  "MatMul [3x0 * 0x4]": ZERO_DEPTH,
  "MatMul [3x0 * 0x4 transposeA]": ZERO_DEPTH,
  "MatMul [3x0 * 0x4 transposeB]": ZERO_DEPTH,
  "MatMul [3x0 * 0x4 transposeA transposeB]": ZERO_DEPTH,
  "Relu [x 2x2x6x6 NaN, infinities, signed zeros]": "the shader's max(NaN, 0) is 0, not NaN",
};
