/**
 * The worker threads under the wasm backend fail loudly, never hang: a kernel that throws on a worker and a
 * worker killed while kernels run both make run() throw an error naming the kernel and the thread.
 */
import { describe, expect, it } from "vitest";
import { WasmRuntime } from "../src/index.js";

describe("wasm worker threads", () => {
  it("a kernel that throws on a worker only: the error names the kernel, the worker and its message; the runtime stays usable", async () => {
    const rt = await WasmRuntime.create({ threads: 2, maxMemoryMiB: 64 });
    try {
      const bytes = rt.memory.buffer.byteLength;
      const len = 1024;
      // The caller zeroes the first half (in bounds), worker 1 the second half (past the memory's end).
      const p = bytes - (len / 2) * 4;
      expect(() => rt.run("k_zero", { p, len })).toThrow(
        /kernel k_zero failed: worker thread 1 threw: .*out of bounds/,
      );
      const block = rt.allocator.alloc(len * 4);
      rt.f32.fill(7, block.ptr >> 2, (block.ptr >> 2) + len);
      rt.run("k_zero", { p: block.ptr, len });
      expect(rt.f32.subarray(block.ptr >> 2, (block.ptr >> 2) + len).every((v) => v === 0)).toBe(true);
    } finally {
      rt.destroy();
    }
  });

  it("a worker killed while kernels run: run() throws within a bounded time, and so does every later run", async () => {
    const rt = await WasmRuntime.create({ threads: 3, maxMemoryMiB: 256 });
    try {
      const len = 16 * 1024 * 1024; // 64 MB per kernel: long enough for the kill to land mid-kernel often
      const block = rt.allocator.alloc(len * 4);
      rt.killWorker(2, 20);
      const started = performance.now();
      let error: Error | null = null;
      while (!error && performance.now() - started < 20_000) {
        try {
          rt.run("k_zero", { p: block.ptr, len });
        } catch (e) {
          error = e as Error;
        }
        // The supervisor's timer needs the event loop between kernels.
        await new Promise((r) => setTimeout(r, 0));
      }
      // The kill lands mid-kernel (that run fails) or between kernels (the supervisor has seen the death, so the
      // next run is refused before it starts): either way the first error names the kernel and the dead thread.
      expect(error?.message).toMatch(
        /(k_zero failed|cannot run k_zero): worker thread 2 died \(it was terminated \(fault injection\)\); create a new backend/,
      );
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(() => rt.run("k_zero", { p: block.ptr, len: 16 })).toThrow(
        /cannot run k_zero: worker thread 2 died/,
      );
    } finally {
      rt.destroy();
    }
  });

  it("killWorker names a thread that does not exist", async () => {
    const rt = await WasmRuntime.create({ threads: 2, maxMemoryMiB: 16 });
    try {
      expect(() => rt.killWorker(2)).toThrow(/no worker 2 \(this runtime has 1\)/);
    } finally {
      rt.destroy();
    }
  });
});
