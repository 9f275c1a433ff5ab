/**
 * Runs built gpu.js webasm kernels directly: writes the arguments into the kernel's wasm memory,
 * runs its cells on the calling thread with gpu.js's own span rule and copies the output out with
 * `set` (TypedArray `slice`, which gpu.js uses, is 4-15x slower on large arrays). Relies on gpu.js
 * 2.24.1's kernel internals (`build`, `_active`, `dispatchSpans`); where they are missing the
 * executor calls kernels the usual way. No worker threads: gpu.js's own pool answers only with
 * Promises (the kernel contract is synchronous), and the pool this package once kept did not pay on
 * the machines measured (see the README), so the `wasm` backend's supervised pool is the one pool.
 */

/** The parts of a built gpu.js webasm kernel (kernel.js `_instantiate`'s entry) used here. */
export interface WasmEntry {
  sizeX: number;
  cells: number;
  f32: Float32Array;
  layout: {
    arrays: Record<string, { index: number; offset: number; flatLength: number }>;
    scalars: Record<string, { index: number; offset: number }>;
    outputOffset: number;
  };
  run: (start: number, end: number, seed: number) => void;
  runSimd: ((start: number, end: number, seed: number) => void) | null;
}

/** gpu.js's span rule (WebAssemblyKernel.dispatchSpans): SIMD quads never cross an x-row. */
export type Dispatch = (
  run: WasmEntry["run"],
  runSimd: WasmEntry["runSimd"],
  cells: number,
  sizeX: number,
  seed: number,
) => void;

/**
 * Writes `args` (gpu.js `input`s and numbers) into a built kernel's memory, runs its cells with
 * gpu.js's `dispatch` and copies the output into `out` (cells x components values).
 */
export function runEntry(
  entry: WasmEntry,
  args: readonly unknown[],
  out: Float32Array,
  dispatch: Dispatch,
): Float32Array {
  const { layout, f32, cells } = entry;
  for (const rec of Object.values(layout.arrays)) {
    f32.set((args[rec.index] as { value: Float32Array }).value.subarray(0, rec.flatLength), rec.offset / 4);
  }
  for (const rec of Object.values(layout.scalars)) f32[rec.offset / 4] = args[rec.index] as number;
  dispatch(entry.run, entry.runSimd, cells, entry.sizeX, 0);
  out.set(f32.subarray(layout.outputOffset / 4, layout.outputOffset / 4 + out.length));
  return out;
}
