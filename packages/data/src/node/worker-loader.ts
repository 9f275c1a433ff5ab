/**
 * Building batches in the background, like PyTorch's `DataLoader(num_workers=N)`: N worker threads
 * augment and normalise batches while the training step runs, through a bounded prefetch queue (at most
 * `prefetch` batches built or being built ahead of the one the trainer takes). Batch b goes to worker
 * b mod N; its contents depend only on the data, the options and batch b's seed (planEpoch), so any N
 * gives the same batches as `batches` on the training thread. The data set's images are copied once into
 * shared memory that every worker reads.
 *
 * The worker is the compiled `batch-worker.js` beside this module; when this module runs from its
 * TypeScript source (the workspace's tests), the package's built dist/ copy is used instead.
 */
import { Worker } from "node:worker_threads";
import {
  type Batch,
  type BatchLoader,
  type BatchOptions,
  batchTensors,
  batchTransform,
  planEpoch,
} from "../batches.js";
import type { Dataset } from "../dataset.js";
import type { WorkerReply, WorkerRequest } from "./batch-worker.js";

function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../dist/node/batch-worker.js", here)
    : new URL("./batch-worker.js", here);
}

interface Pending {
  resolve: (r: { images: Float32Array; labels: Float32Array }) => void;
  reject: (e: Error) => void;
}

export interface WorkerLoaderOptions {
  /** Batches built ahead (default: 2 per worker). */
  prefetch?: number;
}

export class WorkerLoader {
  readonly workers: number;
  readonly prefetch: number;
  readonly #threads: Worker[];
  readonly #pending = new Map<number, Pending>();
  readonly #ids = new WeakMap<Dataset, { id: number; shared: Dataset }>();
  #nextId = 0;
  #nextKey = 0;
  #failure: Error | null = null;

  constructor(workers: number, options: WorkerLoaderOptions = {}) {
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new Error(
        `--workers ${workers}: expected an integer from 1 to 64 (0: build batches on the training thread)`,
      );
    }
    this.workers = workers;
    this.prefetch = options.prefetch ?? 2 * workers;
    this.#threads = Array.from({ length: workers }, () => {
      const w = new Worker(workerUrl());
      w.on("message", (m: WorkerReply) => {
        const p = this.#pending.get(m.key);
        if (!p) return;
        this.#pending.delete(m.key);
        if ("error" in m) p.reject(new Error(m.error));
        else p.resolve(m);
      });
      w.on("error", (e) => this.#fail(new Error(`batch worker failed: ${e.message}`)));
      return w;
    });
  }

  #fail(error: Error): void {
    this.#failure = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  /** The data set's id in the workers, sending it (images in shared memory) the first time. */
  #register(ds: Dataset): number {
    const known = this.#ids.get(ds);
    if (known) return known.id;
    const share = (a: Uint8Array) => {
      const s = new Uint8Array(new SharedArrayBuffer(a.length));
      s.set(a);
      return s;
    };
    const shared: Dataset = { ...ds, images: share(ds.images), labels: share(ds.labels) };
    const id = this.#nextId++;
    this.#ids.set(ds, { id, shared });
    for (const w of this.#threads)
      w.postMessage({ type: "dataset", id, dataset: shared } satisfies WorkerRequest);
    return id;
  }

  #request(worker: number, msg: Omit<Extract<WorkerRequest, { type: "batch" }>, "key" | "type">) {
    if (this.#failure) return Promise.reject(this.#failure);
    const key = this.#nextKey++;
    const promise = new Promise<{ images: Float32Array; labels: Float32Array }>((resolve, reject) => {
      this.#pending.set(key, { resolve, reject });
    });
    // An abandoned epoch's batches may still be in flight; their rejections are not unhandled.
    promise.catch(() => {});
    this.#threads[worker]!.postMessage({ type: "batch", key, ...msg } satisfies WorkerRequest);
    return promise;
  }

  /** A BatchLoader: the epoch's batches as `batches` would give them, built by the workers. */
  readonly load: BatchLoader = (ds: Dataset, opts: BatchOptions): AsyncGenerator<Batch> => {
    const plans = planEpoch(ds, opts);
    const id = this.#register(ds);
    const transform = batchTransform(opts);
    const queue: Promise<{ images: Float32Array; labels: Float32Array }>[] = [];
    let sent = 0;
    const fill = () => {
      while (sent < plans.length && queue.length < this.prefetch) {
        const plan = plans[sent]!;
        queue.push(
          this.#request(sent % this.workers, { id, indices: plan.indices, seed: plan.seed, transform }),
        );
        sent++;
      }
    };
    return (async function* () {
      for (const plan of plans) {
        fill();
        const built = await queue.shift()!;
        fill();
        yield batchTensors(ds, plan, built, opts.resize);
      }
    })();
  };

  /** Stops the worker threads. */
  async close(): Promise<void> {
    this.#fail(new Error("the batch loader is closed"));
    await Promise.all(this.#threads.map((w) => w.terminate()));
  }
}
