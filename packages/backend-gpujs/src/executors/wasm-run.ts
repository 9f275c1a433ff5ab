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
  /** The compiled WebAssembly.Module and its shared WebAssembly.Memory, posted to the workers. */
  module: object;
  memory: object;
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

/**
 * Control words: the run's generation, entry id, cells and chunk count, the next chunk to claim
 * (generation << 16 | chunk, so a worker waking late cannot claim a later run's chunk), the chunks
 * finished, then one "ready entry id" word per worker.
 */
const [GEN, ID, CELLS, CHUNKS, NEXT, FINISHED, READY] = [0, 1, 2, 3, 4, 5, 6];
/** A chunk that makes no progress for this long means a dead worker. */
const STALL_MS = 60_000;
/** Chunks per thread: a thread slowed by other work leaves its share to the others. */
const CHUNKS_PER_THREAD = 4;

/** Claims and runs chunks of the current run until none is left (shared by workers and the caller). */
function claimChunks(
  ctrl: Int32Array,
  gen: number,
  run: (start: number, end: number, seed: number) => void,
): void {
  const cells = ctrl[CELLS]!;
  const chunks = ctrl[CHUNKS]!;
  const size = Math.ceil(cells / chunks / 4) * 4;
  for (;;) {
    const v = Atomics.load(ctrl, NEXT);
    const c = v & 0xffff;
    if (v >>> 16 !== (gen & 0x7fff) || c >= chunks) return;
    if (Atomics.compareExchange(ctrl, NEXT, v, v + 1) !== v) continue;
    run(Math.min(cells, c * size), Math.min(cells, (c + 1) * size), 0);
    if (Atomics.add(ctrl, FINISHED, 1) + 1 === chunks) Atomics.notify(ctrl, FINISHED);
  }
}

const WORKER = `
const { parentPort } = require("node:worker_threads");
const [GEN, ID, CELLS, CHUNKS, NEXT, FINISHED, READY] = [${[GEN, ID, CELLS, CHUNKS, NEXT, FINISHED, READY]}];
const claimChunks = ${claimChunks.toString()};
const runs = new Map();
let ctrl;
let index;
function next(gen) {
  const wait = Atomics.waitAsync(ctrl, GEN, gen);
  (wait.async ? wait.value : Promise.resolve()).then(() => {
    const g = Atomics.load(ctrl, GEN);
    const run = runs.get(ctrl[ID]);
    if (run) claimChunks(ctrl, g, run);
    next(g);
  });
}
parentPort.on("message", (m) => {
  if (m.ctrl) {
    ctrl = new Int32Array(m.ctrl);
    index = m.index;
    next(0);
    return;
  }
  const env = { memory: m.memory };
  for (const name of m.mathImports) env["math_" + name] = Math[name];
  runs.set(m.id, new WebAssembly.Instance(m.module, { env }).exports.run_simd);
  Atomics.store(ctrl, READY + index, m.id);
  Atomics.notify(ctrl, READY + index);
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
    this.#ctrl = new Int32Array(new SharedArrayBuffer(4 * (READY + count)));
    this.#workers = [];
    this.#ready = [];
    for (let i = 0; i < count; i++) {
      const w = new Worker(WORKER, { eval: true });
      w.unref();
      w.postMessage({ ctrl: this.#ctrl.buffer, index: i });
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
    const ctrl = this.#ctrl;
    this.#workers.forEach((w, i) => {
      if (this.#ready[i]!.has(entry.id)) return;
      w.postMessage({
        id: entry.id,
        module: entry.module,
        memory: entry.memory,
        mathImports: entry.mathImports,
      });
      for (let r = Atomics.load(ctrl, READY + i); r !== entry.id; r = Atomics.load(ctrl, READY + i)) {
        if (Atomics.wait(ctrl, READY + i, r, STALL_MS) === "timed-out") {
          throw new Error(`gpujs:webasm: a worker thread did not load a kernel in ${STALL_MS / 1000} s`);
        }
      }
      this.#ready[i]!.add(entry.id);
    });
    const chunks = CHUNKS_PER_THREAD * (this.#workers.length + 1);
    const gen = (ctrl[GEN]! + 1) & 0x7fff;
    ctrl[ID] = entry.id;
    ctrl[CELLS] = entry.cells;
    ctrl[CHUNKS] = chunks;
    ctrl[FINISHED] = 0;
    Atomics.store(ctrl, NEXT, gen << 16);
    Atomics.store(ctrl, GEN, gen);
    Atomics.notify(ctrl, GEN);
    claimChunks(ctrl, gen, entry.runSimd!);
    for (let f = Atomics.load(ctrl, FINISHED); f < chunks; f = Atomics.load(ctrl, FINISHED)) {
      if (Atomics.wait(ctrl, FINISHED, f, STALL_MS) === "timed-out" && Atomics.load(ctrl, FINISHED) === f) {
        throw new Error(`gpujs:webasm: a worker thread stalled for ${STALL_MS / 1000} s on a kernel chunk`);
      }
    }
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
