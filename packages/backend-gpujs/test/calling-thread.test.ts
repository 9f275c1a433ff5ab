/**
 * gpujs:webasm runs every kernel on the calling thread: it starts no worker thread, neither its own
 * nor gpu.js's (which only starts one for kernels built under `asyncMode`), so no kernel can wait on a
 * worker that threw or died. Counted by wrapping node:worker_threads' Worker before the backend starts,
 * then running kernels large enough (65536 cells, rows a multiple of 4) for any pool to take.
 */
import { createRequire } from "node:module";
import type { Worker as NodeWorker } from "node:worker_threads";
import { conv2d, fromArray, getBackend, Rng, setBackend, sum, tidy } from "@resnet-ts/tensor";
import { afterAll, beforeAll, expect, it } from "vitest";
import "../src/index.js";
import type { GpujsBackend } from "../src/index.js";

const threads = createRequire(import.meta.url)("node:worker_threads") as { Worker: typeof NodeWorker };
const original = threads.Worker;
let started = 0;

beforeAll(() => {
  threads.Worker = class extends original {
    constructor(...args: ConstructorParameters<typeof NodeWorker>) {
      super(...args);
      started++;
    }
  };
});

afterAll(async () => {
  threads.Worker = original;
  await setBackend("cpu");
});

it("the counter sees a worker started through node:worker_threads", async () => {
  const before = started;
  const w = new threads.Worker("", { eval: true });
  await w.terminate();
  expect(started).toBe(before + 1);
});

it("gpujs:webasm starts no worker thread, even for large kernels and their gradients", async () => {
  const before = started;
  const backend = (await setBackend("gpujs:webasm")) as GpujsBackend;
  expect(getBackend().name).toBe("gpujs:webasm");
  expect(backend.mode).toBe("webasm");
  const rng = new Rng(3);
  const values = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const x = fromArray(values(4 * 16 * 32 * 32), [4, 16, 32, 32]).requireGrad();
  const w = fromArray(values(16 * 16 * 9), [16, 16, 3, 3]).requireGrad();
  const loss = tidy(() => {
    const l = sum(conv2d(x, w, null, { stride: 1, padding: 1 }));
    l.backward();
    return l;
  });
  expect(Number.isFinite((await loss.data())[0])).toBe(true);
  expect(x.grad?.shape).toEqual([4, 16, 32, 32]);
  for (const t of [loss, x, w]) t.dispose();
  expect(started - before).toBe(0);
});
