/**
 * End to end on gpujs: a few SGD steps of a small conv net match the cpu backend on the updated
 * weights, and 100 steps inside `tidy` leave memory (storages and device handles) flat.
 */
import { getBackend, setBackend } from "@resnet-ts/tensor";
import { afterEach, describe, expect, it } from "vitest";
import "../src/index.js";
import type { GpujsBackend } from "../src/index.js";
import { maxRelError } from "./parity.js";
import { disposeNet, makeNet, SMALL, snapshot, trainFresh, trainStep } from "./network.js";

afterEach(async () => {
  await setBackend("cpu");
});

describe.each(["gpujs:cpu", "gpujs:webasm"])("%s", (backend) => {
  it("matches cpu on the weights after 3 SGD steps", async () => {
    await setBackend("cpu");
    const want = await trainFresh(3);
    await setBackend(backend);
    const got = await trainFresh(3);
    for (const name of Object.keys(want)) {
      const err = maxRelError(got[name]!, want[name]!);
      expect(err, `${name}: relative error ${err}`).toBeLessThan(1e-4);
    }
    // The weights moved: the comparison is not between two untouched initialisations.
    await setBackend("cpu");
    const start = makeNet(SMALL);
    const w0 = (await snapshot(start)).w1!;
    disposeNet(start);
    expect(maxRelError(w0, want.w1!)).toBeGreaterThan(1e-3);
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
    const net = makeNet(SMALL);
    trainStep(net, 0.05);
    const afterOne = backend.memory();
    for (let i = 0; i < 99; i++) trainStep(net, 0.05);
    const afterAll = backend.memory();
    expect(afterAll.buffers).toBe(afterOne.buffers);
    expect(afterAll.handles).toBe(afterOne.handles);
    expect(afterAll.bytes).toBe(afterOne.bytes);
    // Only the network's own tensors are alive: 6 parameters, 2 running statistics, x, labels.
    expect(afterAll.buffers - before.buffers).toBe(10);
    disposeNet(net);
    expect(getBackend().memory().buffers).toBe(before.buffers);
    expect(backend.memory().handles).toBe(before.handles);
  });
});
