/**
 * The WebAssembly runtime under the backend: one shared memory, the kernel module instantiated on the
 * calling thread and on `threads - 1` workers over that same memory, and `run()`, which executes a
 * kernel on every thread and returns when all are done (the caller blocks on Atomics.wait, since
 * kernels are synchronous by contract). The workers are started and watched by a supervisor thread
 * (supervisor-source.ts): a kernel that throws on a worker, or a worker that dies, makes `run()` throw
 * an error naming the kernel, the thread and its message instead of waiting forever. Node and browsers
 * differ only in how threads start.
 */
import { Allocator } from "./allocator.js";
import {
  ARG_WORDS,
  CONTROL,
  CONTROL_WORDS,
  KERNEL_WORDS,
  type KernelArgs,
  type KernelName,
} from "./generated/abi.js";
import { RELAXED_MODULE, SIMD_MODULE } from "./generated/modules.js";
import { createStatus, DIED, clearThrew, readFailure, type ThreadFailure } from "./status.js";
import { SUPERVISOR_SOURCE } from "./supervisor-source.js";
import { WORKER_SOURCE } from "./worker-source.js";

export interface WasmBackendOptions {
  /** Threads including the caller; default: the machine's available parallelism (1 on a browser's main thread). */
  threads?: number;
  /** Use relaxed SIMD (fused multiply-add) when the engine supports it; default true. */
  relaxedSimd?: boolean;
  /** The memory's declared maximum in MiB; default 4096 (the 32-bit limit). */
  maxMemoryMiB?: number;
  /**
   * Run stride-1 3x3 convolutions on maps of 3x3 and up by Winograd where it pays (src/kernels/winograd.ts);
   * default true: F(2x2, 3x3), F(3x3, 3x3) or F(4x4, 3x3) chosen per shape. 2, 3 or 4 forces that tile (for
   * benchmarks).
   */
  winograd?: boolean | 2 | 3 | 4;
}

/** Each kernel's argument fields in word order, with whether the word is an f32 (kernel-abi.json). */
const WORDS = new Map<string, readonly (readonly [string, boolean])[]>(
  Object.entries(KERNEL_WORDS).map(([k, words]) => [
    k,
    Object.entries(words).map(([field, type]) => [field, type === "f32"] as const),
  ]),
);

const PAGE = 65536;
/** Workers poll this many times before sleeping on Atomics.wait (cuts wake-up latency between kernels). */
const WORKER_SPIN = 20000;

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

type KernelFns = Record<string, (tid: number, nt: number, args: number) => void>;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  if (isNode) {
    const b = Buffer.from(base64, "base64");
    return new Uint8Array(
      b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength),
    ) as Uint8Array<ArrayBuffer>;
  }
  const s = atob(base64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Whether the engine validates a module using relaxed SIMD; in Node 20 it first turns on V8's flag. */
async function relaxedSimdAvailable(bytes: Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (WebAssembly.validate(bytes)) return true;
  if (!isNode) return false;
  const v8 = await import("node:v8");
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  return WebAssembly.validate(bytes);
}

async function defaultThreads(): Promise<number> {
  if (isNode) {
    const os = await import("node:os");
    return os.availableParallelism();
  }
  // Atomics.wait is not allowed on a browser's main thread: run single-threaded there.
  const onMainThread = typeof (globalThis as { document?: unknown }).document !== "undefined";
  return onMainThread ? 1 : (globalThis.navigator?.hardwareConcurrency ?? 1);
}

interface Supervisor {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Starts the supervisor thread, which starts `count` kernel workers; resolves once they are all ready. */
async function startSupervisor(count: number, init: Record<string, unknown>): Promise<Supervisor> {
  const first = { workerSource: WORKER_SOURCE, count, init };
  const settle = (reply: unknown, resolve: () => void, reject: (e: Error) => void) => {
    if (reply === "ready") resolve();
    else reject(new Error(`wasm backend: a worker failed to start: ${(reply as { error?: string }).error}`));
  };
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    const supervisor = new Worker(SUPERVISOR_SOURCE, { eval: true });
    supervisor.unref();
    await new Promise<void>((resolve, reject) => {
      supervisor.once("message", (reply) => settle(reply, resolve, reject));
      supervisor.once("error", reject);
      supervisor.postMessage(first);
    });
    return supervisor;
  }
  const url = URL.createObjectURL(new Blob([SUPERVISOR_SOURCE], { type: "text/javascript" }));
  const supervisor = new Worker(url);
  await new Promise<void>((resolve, reject) => {
    supervisor.onmessage = (e) => settle(e.data, resolve, reject);
    supervisor.onerror = (e) => reject(new Error(`wasm backend: worker failed to start: ${e.message}`));
    supervisor.postMessage(first);
  });
  URL.revokeObjectURL(url);
  return supervisor;
}

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly allocator: Allocator;
  readonly threads: number;
  readonly relaxedSimd: boolean;
  readonly #fns: KernelFns;
  readonly #index = new Map<string, number>();
  readonly #workers: number;
  readonly #supervisor: Supervisor | null;
  readonly #status: SharedArrayBuffer;
  readonly #ctrl: Int32Array;
  readonly #args: number;
  #i32: Int32Array;
  #f32: Float32Array;

  private constructor(
    memory: WebAssembly.Memory,
    instance: WebAssembly.Instance,
    names: string[],
    workers: number,
    supervisor: Supervisor | null,
    status: SharedArrayBuffer,
    ctrl: number,
    relaxedSimd: boolean,
    maxBytes: number,
  ) {
    this.memory = memory;
    this.#fns = instance.exports as unknown as KernelFns;
    for (const [i, n] of names.entries()) this.#index.set(n, i);
    this.#workers = workers;
    this.#supervisor = supervisor;
    this.#status = status;
    this.threads = workers + 1;
    this.relaxedSimd = relaxedSimd;
    this.#ctrl = new Int32Array(memory.buffer, ctrl, CONTROL_WORDS);
    this.#args = ctrl + CONTROL_WORDS * 4;
    this.allocator = new Allocator(memory, Math.ceil((this.#args + ARG_WORDS * 4) / PAGE) * PAGE, maxBytes);
    this.#i32 = new Int32Array(memory.buffer);
    this.#f32 = new Float32Array(memory.buffer);
  }

  static async create(options: WasmBackendOptions = {}): Promise<WasmRuntime> {
    if (typeof SharedArrayBuffer === "undefined") {
      throw new Error(
        "wasm backend: SharedArrayBuffer is unavailable (browsers need cross-origin isolation)",
      );
    }
    const maxMiB = options.maxMemoryMiB ?? 4096;
    if (!Number.isInteger(maxMiB) || maxMiB < 16 || maxMiB > 4096) {
      throw new Error(`wasm backend: maxMemoryMiB must be an integer in [16, 4096], got ${maxMiB}`);
    }
    const winograd: unknown = options.winograd ?? true;
    if (winograd !== true && winograd !== false && winograd !== 2 && winograd !== 3 && winograd !== 4) {
      throw new Error(
        `wasm backend: winograd must be true, false, 2, 3 or 4, got ${JSON.stringify(winograd)}`,
      );
    }
    const threads = options.threads ?? (await defaultThreads());
    if (!Number.isInteger(threads) || threads < 1) {
      throw new Error(`wasm backend: threads must be an integer >= 1, got ${threads}`);
    }
    const relaxedBytes = decode(RELAXED_MODULE);
    const relaxedSimd = (options.relaxedSimd ?? true) && (await relaxedSimdAvailable(relaxedBytes));
    const bytes = relaxedSimd ? relaxedBytes : decode(SIMD_MODULE);
    if (!WebAssembly.validate(bytes))
      throw new Error("wasm backend: this engine lacks WebAssembly SIMD or threads");
    const module = await WebAssembly.compile(bytes);
    const maxPages = maxMiB * 16;
    const memory = new WebAssembly.Memory({ initial: 32, maximum: maxPages, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const heapBase = (instance.exports.heapBase as () => number)();
    const ctrl = Math.ceil((heapBase + 64) / 64) * 64;
    const names = WebAssembly.Module.exports(module)
      .map((e) => e.name)
      .filter((n) => n.startsWith("k_"))
      .sort();
    const status = createStatus();
    const workers = threads - 1;
    const supervisor =
      workers > 0
        ? await startSupervisor(workers, { module, memory, ctrl, names, spin: WORKER_SPIN, status })
        : null;
    return new WasmRuntime(
      memory,
      instance,
      names,
      workers,
      supervisor,
      status,
      ctrl,
      relaxedSimd,
      maxPages * PAGE,
    );
  }

  /** Float32 view of the whole memory (renewed after the memory grows). */
  get f32(): Float32Array {
    if (this.#f32.buffer.byteLength !== this.memory.buffer.byteLength) this.#refresh();
    return this.#f32;
  }

  get i32(): Int32Array {
    if (this.#i32.buffer.byteLength !== this.memory.buffer.byteLength) this.#refresh();
    return this.#i32;
  }

  #refresh(): void {
    this.#f32 = new Float32Array(this.memory.buffer);
    this.#i32 = new Int32Array(this.memory.buffer);
  }

  /**
   * Runs kernel `name` over `args` (its words by name, kernel-abi.json): on every thread when
   * `parallel`, else on the calling thread alone (small work, where waking the workers costs more than
   * it saves).
   */
  run<K extends KernelName>(name: K, args: KernelArgs<K>, parallel = true): void {
    const fn = this.#fns[name];
    const index = this.#index.get(name);
    if (!fn || index === undefined) throw new Error(`wasm backend: the module has no kernel '${name}'`);
    const i32 = this.i32;
    const f32 = this.f32;
    const base = this.#args >> 2;
    const values = args as Record<string, number>;
    const words = WORDS.get(name)!;
    for (let i = 0; i < words.length; i++) {
      const [field, isF32] = words[i]!;
      const v = values[field];
      if (v === undefined) throw new Error(`wasm backend: ${name} is missing argument '${field}'`);
      if (isF32) f32[base + i] = v;
      else i32[base + i] = v;
    }
    const lost = readFailure(this.#status);
    if (lost?.kind === DIED) throw new Error(`wasm backend: cannot run ${name}: ${describe(lost)}`);
    clearThrew(this.#status);
    const workers = this.#workers;
    if (!parallel || workers === 0) {
      fn(0, 1, this.#args);
      return;
    }
    const c = this.#ctrl;
    c[CONTROL.kernel] = index;
    c[CONTROL.args] = this.#args;
    c[CONTROL.threads] = workers + 1;
    Atomics.store(c, CONTROL.done, 0);
    Atomics.store(c, CONTROL.error, 0);
    c[CONTROL.workers] = workers;
    Atomics.add(c, CONTROL.generation, 1);
    Atomics.notify(c, CONTROL.generation);
    try {
      fn(0, workers + 1, this.#args);
    } finally {
      this.#join(name, workers);
    }
    if (Atomics.load(c, CONTROL.error) !== 0) {
      const failure = readFailure(this.#status);
      throw new Error(
        `wasm backend: kernel ${name} failed: ${failure ? describe(failure) : "on a worker thread"}`,
      );
    }
  }

  /** Waits until every worker has finished the kernel, or throws as soon as one has died. */
  #join(name: string, workers: number): void {
    const c = this.#ctrl;
    for (let i = 0; i < 2000 && Atomics.load(c, CONTROL.done) !== workers; i++);
    for (;;) {
      const done = Atomics.load(c, CONTROL.done);
      if (done === workers) return;
      const failure = readFailure(this.#status);
      if (failure?.kind === DIED)
        throw new Error(`wasm backend: kernel ${name} failed: ${describe(failure)}`);
      // The supervisor wakes this wait when a worker dies; the time limit bounds a missed wake-up.
      Atomics.wait(c, CONTROL.done, done, 1000);
    }
  }

  /**
   * Fault injection for tests: the supervisor terminates worker `tid` (1 .. threads-1) after `afterMs`.
   * Every later (or running) kernel then throws; the runtime cannot be used again.
   */
  killWorker(tid: number, afterMs = 0): void {
    if (!this.#supervisor || !Number.isInteger(tid) || tid < 1 || tid > this.#workers) {
      throw new Error(`wasm backend: killWorker: no worker ${tid} (this runtime has ${this.#workers})`);
    }
    this.#supervisor.postMessage({ kill: tid, afterMs });
  }

  /** Stops the workers and their supervisor. The runtime must not be used afterwards. */
  destroy(): void {
    const c = this.#ctrl;
    c[CONTROL.kernel] = -1;
    Atomics.add(c, CONTROL.generation, 1);
    Atomics.notify(c, CONTROL.generation);
    void this.#supervisor?.terminate();
  }
}

function describe(f: ThreadFailure): string {
  return f.kind === DIED
    ? `worker thread ${f.tid} died (${f.message}); create a new backend`
    : `worker thread ${f.tid} threw: ${f.message}`;
}
