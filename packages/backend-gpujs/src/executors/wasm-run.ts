/**
 * Runs built gpu.js webasm kernels directly: writes the arguments into the kernel's wasm memory,
 * runs its cells and copies the output out with `set` (TypedArray `slice`, which gpu.js uses, is
 * 4-15x slower on large arrays, worst on shared memory). In Node, kernels built under `asyncMode`
 * (gpu.js then compiles them over a *shared* WebAssembly.Memory and keeps the module) run on every
 * core synchronously: gpu.js's own pool only answers with Promises, which the synchronous kernel
 * contract cannot take, so a small pool here instantiates the module in its workers, each runs a
 * slice of the cells, the calling thread runs the first and waits with `Atomics.wait` (allowed on
 * Node's main thread, not on a browser's). Relies on gpu.js 2.24.1's kernel internals (`build`,
 * `_active`); where they are missing the executor calls kernels the usual way.
 */

/** The parts of a built gpu.js webasm kernel (kernel.js `_instantiate`'s entry) used here. */
export interface WasmEntry {
  id: number;
  shared: boolean;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  mathImports: string[];
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

/** Control words per worker: generation, entry id, start, end, done generation, ready entry id. */
const SLOTS = 8;
const [GEN, ID, START, END, DONE, READY] = [0, 1, 2, 3, 4, 5];

const WORKER = `
const { parentPort } = require("node:worker_threads");
const runs = new Map();
let ctrl;
let base;
function next(gen) {
  const wait = Atomics.waitAsync(ctrl, base, gen);
  (wait.async ? wait.value : Promise.resolve()).then(() => {
    const g = Atomics.load(ctrl, base);
    runs.get(ctrl[base + ${ID}])(ctrl[base + ${START}], ctrl[base + ${END}], 0);
    Atomics.store(ctrl, base + ${DONE}, g);
    Atomics.notify(ctrl, base + ${DONE});
    next(g);
  });
}
parentPort.on("message", (m) => {
  if (m.ctrl) {
    ctrl = new Int32Array(m.ctrl);
    base = m.base;
    next(0);
    return;
  }
  const env = { memory: m.memory };
  for (const name of m.mathImports) env["math_" + name] = Math[name];
  runs.set(m.id, new WebAssembly.Instance(m.module, { env }).exports.run_simd);
  Atomics.store(ctrl, base + ${READY}, m.id);
  Atomics.notify(ctrl, base + ${READY});
});
`;

interface NodeWorker {
  postMessage(message: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
}

type WorkerCtor = new (code: string, options: { eval: true }) => NodeWorker;

export class WasmThreads {
  #ctrl: Int32Array;
  #workers: NodeWorker[];
  #ready: Set<number>[];

  private constructor(Worker: WorkerCtor, count: number) {
    this.#ctrl = new Int32Array(new SharedArrayBuffer(4 * SLOTS * count));
    this.#workers = [];
    this.#ready = [];
    for (let i = 0; i < count; i++) {
      const w = new Worker(WORKER, { eval: true });
      w.unref();
      w.postMessage({ ctrl: this.#ctrl.buffer, base: i * SLOTS });
      this.#workers.push(w);
      this.#ready.push(new Set());
    }
  }

  /** A pool of (cores - 1) workers, or null where threads cannot run synchronously (browsers, 1 core). */
  static start(): WasmThreads | null {
    const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
    if (typeof proc?.getBuiltinModule !== "function" || typeof SharedArrayBuffer === "undefined") return null;
    const os = proc.getBuiltinModule("node:os") as { availableParallelism(): number };
    const { Worker } = proc.getBuiltinModule("node:worker_threads") as { Worker: WorkerCtor };
    const count = Math.min(os.availableParallelism(), 8) - 1;
    return count > 0 ? new WasmThreads(Worker, count) : null;
  }

  /** Runs a kernel whose memory is shared and rows are whole SIMD quads, split across the threads. */
  split(entry: WasmEntry): void {
    const { cells } = entry;
    const parts = this.#workers.length + 1;
    const cut = (i: number) => Math.min(cells, Math.ceil(cells / parts / 4) * 4 * i);
    const ctrl = this.#ctrl;
    const gens: number[] = [];
    this.#workers.forEach((w, i) => {
      const base = i * SLOTS;
      if (!this.#ready[i]!.has(entry.id)) {
        w.postMessage({
          id: entry.id,
          module: entry.module,
          memory: entry.memory,
          mathImports: entry.mathImports,
        });
        while (Atomics.load(ctrl, base + READY) !== entry.id)
          Atomics.wait(ctrl, base + READY, ctrl[base + READY]!);
        this.#ready[i]!.add(entry.id);
      }
      ctrl[base + ID] = entry.id;
      ctrl[base + START] = cut(i + 1);
      ctrl[base + END] = cut(i + 2);
      const gen = Atomics.add(ctrl, base + GEN, 1) + 1;
      gens.push(gen);
      Atomics.notify(ctrl, base + GEN);
    });
    entry.runSimd!(0, cut(1), 0);
    gens.forEach((gen, i) => {
      const done = i * SLOTS + DONE;
      for (let d = Atomics.load(ctrl, done); d !== gen; d = Atomics.load(ctrl, done))
        Atomics.wait(ctrl, done, d);
    });
  }

  destroy(): void {
    for (const w of this.#workers) void w.terminate();
    this.#workers = [];
  }
}

/**
 * Writes `args` (gpu.js `input`s and numbers) into a built kernel's memory, runs its cells (split
 * across `threads` when its memory is shared and rows are whole SIMD quads, else on this thread with
 * gpu.js's `dispatch`) and copies the output into `out` (cells x components values).
 */
export function runEntry(
  entry: WasmEntry,
  args: readonly unknown[],
  out: Float32Array,
  dispatch: Dispatch,
  threads: WasmThreads | null,
): Float32Array {
  const { layout, f32, cells } = entry;
  for (const rec of Object.values(layout.arrays)) {
    f32.set((args[rec.index] as { value: Float32Array }).value.subarray(0, rec.flatLength), rec.offset / 4);
  }
  for (const rec of Object.values(layout.scalars)) f32[rec.offset / 4] = args[rec.index] as number;
  if (threads && entry.shared && entry.runSimd && entry.sizeX % 4 === 0) threads.split(entry);
  else dispatch(entry.run, entry.runSimd, cells, entry.sizeX, 0);
  out.set(f32.subarray(layout.outputOffset / 4, layout.outputOffset / 4 + out.length));
  return out;
}
