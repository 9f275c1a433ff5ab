/**
 * End to end on gpujs: a small residual network's SGD steps give the cpu backend's losses and weights
 * (@resnet-ts/kernel-tests' compareTraining), and 100 steps inside `tidy` leave memory (storages and
 * device handles) flat.
 */
import { compareTraining, smallNetwork } from "@resnet-ts/kernel-tests";
import { getBackend, setBackend } from "@resnet-ts/tensor";
import { afterEach, describe, expect, it } from "vitest";
import "../src/index.js";
import type { GpujsBackend } from "../src/index.js";

afterEach(async () => {
  await setBackend("cpu");
});

describe.each(["gpujs:cpu", "gpujs:webasm"])("%s", (backend) => {
  it("matches cpu on the losses, weights and running statistics after 3 SGD steps", async () => {
    const report = await compareTraining(backend, smallNetwork, { steps: 3 });
    expect(report.mismatches).toEqual([]);
    expect(report.moved).toBeGreaterThan(report.tensors / 2);
  });
});

it("is what setBackend() picks over the reference cpu backend (no wasm backend registered here)", async () => {
  const backend = (await setBackend()) as GpujsBackend;
  expect(backend.name).toBe("gpujs");
  expect(backend.mode).toBe("webasm");
});

describe("memory", () => {
  it("stays flat over 100 training steps (storages and device handles)", async () => {
    const backend = (await setBackend("gpujs:webasm")) as GpujsBackend;
    expect(backend.mode).toBe("webasm");
    expect(backend.renderer).toBe("WebAssembly on the CPU");
    const before = backend.memory();
    const net = smallNetwork();
    net.step().dispose();
    const afterOne = backend.memory();
    for (let i = 0; i < 99; i++) net.step().dispose();
    const afterAll = backend.memory();
    expect(afterAll.buffers).toBe(afterOne.buffers);
    expect(afterAll.handles).toBe(afterOne.handles);
    expect(afterAll.bytes).toBe(afterOne.bytes);
    // Only the network's own tensors are alive: its state, the images and the labels.
    expect(afterAll.buffers - before.buffers).toBe(Object.keys(net.state).length + 2);
    net.dispose();
    expect(getBackend().memory().buffers).toBe(before.buffers);
    expect(backend.memory().handles).toBe(before.handles);
  });
});
