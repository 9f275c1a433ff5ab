/** State dicts: a model's parameters and buffers as host arrays under PyTorch's key names. */

/** What one state-dict entry is without its values: its dtype and shape (`Module.stateSpec()`). */
export interface TensorSpec {
  dtype: "float32" | "int64";
  shape: number[];
}

export interface StateTensor extends TensorSpec {
  data: Float32Array | BigInt64Array;
}

/** Insertion-ordered, keyed like PyTorch's `state_dict()` (e.g. `0.1.running_mean`). */
export type StateDict = Record<string, StateTensor>;

/** A state dict's keys, dtypes and shapes, in its order; every StateDict is one. */
export type StateSpec = Record<string, TensorSpec>;
