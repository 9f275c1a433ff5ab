/** State dicts: a model's parameters and buffers as host arrays under PyTorch's key names. */

export interface StateTensor {
  dtype: "float32" | "int64";
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** Insertion-ordered, keyed like PyTorch's `state_dict()` (e.g. `0.1.running_mean`). */
export type StateDict = Record<string, StateTensor>;

export const fmt = (shape: readonly number[]): string => `[${shape.join(",")}]`;
