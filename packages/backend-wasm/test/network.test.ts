/**
 * End to end on wasm: a small residual network's training steps give the cpu backend's losses,
 * weights and running statistics on every wasm instance (@resnet-ts/kernel-tests' compareTraining),
 * and the backend's storage stays flat, hands kernel scratch back and rejects stale handles.
 */
import { compareTraining } from "@resnet-ts/kernel-tests";
import {
  Rng,
  adaptiveAvgPool2d,
  conv2d,
  flatten,
  fromArray,
  matmul,
  relu,
  setBackend,
  softmaxCrossEntropy,
  tidy,
} from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import type { WasmBackend } from "../src/index.js";
import { WASM_INSTANCES } from "./instances.js";

describe.each(WASM_INSTANCES)("a small residual network on %s", (name) => {
  it("gives the cpu backend's losses, weights and running statistics after 2 SGD steps", async () => {
    const report = await compareTraining(name, undefined, { steps: 2 });
    expect(report.mismatches).toEqual([]);
    expect(report.moved).toBeGreaterThan(report.tensors / 2);
  });
});

describe("the wasm backend's storage", () => {
  it("reuses freed blocks so the heap stays flat across repeated steps", async () => {
    const backend = await setBackend("wasm");
    const rng = new Rng(3);
    const draw = (shape: number[]) =>
      fromArray(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
        shape,
      );
    const x = draw([8, 16, 12, 12]);
    const w = draw([16, 16, 3, 3]).requireGrad();
    const fw = draw([16, 10]);
    const labels = fromArray([0, 1, 2, 3, 4, 5, 6, 7]);
    const step = () =>
      tidy(() => {
        const h = flatten(adaptiveAvgPool2d(relu(conv2d(x, w, null, { padding: 1 })), 1));
        softmaxCrossEntropy(matmul(h, fw), labels).backward();
        w.zeroGrad();
      });
    step();
    const live = backend.memory();
    const heap = (backend as WasmBackend).heapBytes();
    for (let i = 0; i < 5; i++) step();
    expect(backend.memory()).toEqual(live);
    expect((backend as WasmBackend).heapBytes()).toBe(heap);
  });

  it("hands a kernel's scratch space back when the kernel returns", async () => {
    const backend = (await setBackend("wasm")) as WasmBackend;
    const rng = new Rng(4);
    const draw = (shape: number[]) =>
      fromArray(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
        shape,
      );
    // A strided, padded conv: its padded copy of x alone is larger than x and y together.
    const x = draw([4, 8, 20, 20]);
    const w = draw([8, 8, 3, 3]);
    const inUse = () => backend.heapBytes() - backend.runtime.allocator.freeBytes;
    const before = inUse();
    const y = conv2d(x, w, null, { stride: 2, padding: 1 });
    expect(inUse() - before).toBe(Math.ceil((y.size * 4) / 64) * 64);
    y.dispose();
    expect(inUse()).toBe(before);
    x.dispose();
    w.dispose();
  });

  it("rejects a handle after dispose and reports live buffers", async () => {
    const backend = await setBackend("wasm");
    const before = backend.memory();
    const id = backend.write(Float32Array.of(1, 2, 3));
    expect(backend.memory()).toEqual({ buffers: before.buffers + 1, bytes: before.bytes + 12 });
    expect(Array.from(backend.readSync(id))).toEqual([1, 2, 3]);
    backend.overwrite(id, Float32Array.of(4, 5, 6));
    expect(Array.from(await backend.read(id))).toEqual([4, 5, 6]);
    backend.disposeData(id);
    expect(backend.memory()).toEqual(before);
    expect(() => backend.readSync(id)).toThrow(/after it was disposed/);
  });
});
