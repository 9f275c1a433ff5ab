/**
 * How a tensor is laid out on the device: every storage is a 3-D gpu.js array [X, Y, Z] (x fastest),
 * which is the tensor's row-major data cut into rows of X and planes of X*Y. Kernels index with
 * `a[z][y][x]` and `this.thread.x/y/z`, so no flat index is ever computed in float32 arithmetic (exact
 * only below 2^24). A tensor's natural dims: X = last axis, Y = second-last axis, Z = the product of
 * the others, e.g. NCHW -> [W, H, N*C], [N, K] -> [K, N, 1], [C] -> [C, 1, 1].
 */
export type Dims = readonly [number, number, number];

export function naturalDims(shape: readonly number[]): Dims {
  const r = shape.length;
  const x = r >= 1 ? shape[r - 1]! : 1;
  const y = r >= 2 ? shape[r - 2]! : 1;
  let z = 1;
  for (let i = 0; i < r - 2; i++) z *= shape[i]!;
  return [x, y, z];
}

export const dimsSize = (d: Dims): number => d[0] * d[1] * d[2];
export const sameDims = (a: Dims, b: Dims): boolean => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
