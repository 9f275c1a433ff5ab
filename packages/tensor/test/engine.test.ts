/** The registry: backends, kernels, switching, and the errors for unknown backends and missing kernels. */
import { afterEach, describe, expect, it } from "vitest";
import {
  type Backend,
  CpuBackend,
  KERNEL_NAMES,
  add,
  cpuKernels,
  fromArray,
  getBackend,
  hasKernel,
  listBackends,
  registerBackend,
  registerKernels,
  setBackend,
} from "../src/index.js";

/** A backend that stores data but implements no kernels. */
class EmptyBackend implements Backend {
  readonly name = "empty";
  #live = new Set<object>();
  write(values: Float32Array) {
    const id = { values: values.slice() };
    this.#live.add(id);
    return id;
  }
  readSync(dataId: object) {
    return (dataId as { values: Float32Array }).values.slice();
  }
  async read(dataId: object) {
    return this.readSync(dataId);
  }
  overwrite(dataId: object, values: Float32Array) {
    (dataId as { values: Float32Array }).values.set(values);
  }
  disposeData(dataId: object) {
    this.#live.delete(dataId);
  }
  memory() {
    return { buffers: this.#live.size, bytes: 0 };
  }
}

afterEach(async () => {
  await setBackend("cpu");
});

describe("backends", () => {
  it("starts on the cpu backend, which registers every kernel of the contract", () => {
    expect(getBackend().name).toBe("cpu");
    for (const k of KERNEL_NAMES) expect(hasKernel("cpu", k), k).toBe(true);
    expect(cpuKernels.map((c) => c.kernelName)).toEqual([...KERNEL_NAMES]);
  });

  it("rejects an unknown backend, listing the registered ones", async () => {
    await expect(setBackend("nope")).rejects.toThrow("setBackend: unknown backend 'nope'; registered: cpu");
  });

  it("names the kernel and backend when a kernel is missing, and where it is registered", async () => {
    registerBackend("empty", () => new EmptyBackend());
    await setBackend("empty");
    const a = fromArray([1, 2]);
    expect(a.backend.name).toBe("empty");
    expect(() => add(a, a)).toThrow(
      "Kernel 'Add' is not registered for backend 'empty' (it is registered for: cpu)",
    );
  });

  it("rejects tensors from another backend, naming both", async () => {
    const onCpu = fromArray([1, 2]);
    registerBackend("empty", () => new EmptyBackend());
    await setBackend("empty");
    expect(() => add(onCpu, onCpu)).toThrow(
      "add: a tensor lives on backend 'cpu' but the active one is 'empty'",
    );
  });

  it("without a name, picks the highest priority backend that starts, skipping failing ones", async () => {
    registerBackend("broken", () => Promise.reject(new Error("no device")), { priority: 20 });
    registerBackend("cpu-copy", () => new CpuBackend("cpu-copy"), { priority: 10 });
    registerKernels(cpuKernels.map((k) => ({ ...k, backendName: "cpu-copy" })));
    expect(listBackends().slice(0, 2)).toEqual(["broken", "cpu-copy"]);
    const b = await setBackend();
    expect(b.name).toBe("cpu-copy");
    expect(Array.from(add(fromArray([1]), fromArray([2])).dataSync())).toEqual([3]);
    await expect(setBackend("broken")).rejects.toThrow("no device");
  });

  it("keeps one instance per backend across switches", async () => {
    const first = await setBackend("cpu");
    const data = fromArray([5]);
    registerBackend("empty", () => new EmptyBackend());
    await setBackend("empty");
    expect(await setBackend("cpu")).toBe(first);
    expect(data.item()).toBe(5);
  });
});
