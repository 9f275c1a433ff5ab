/** The wasm backend's options and what its kernels reject (parity itself: kernel-tests.test.ts). */
import { fromArray, setBackend, softmaxCrossEntropy } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { createWasmBackend, registerWasmBackend } from "../src/index.js";

registerWasmBackend();

describe("the wasm backend's runtime", () => {
  it("runs the worker threads it was asked for and reports whether it uses relaxed SIMD", async () => {
    const three = await createWasmBackend({ threads: 3 });
    expect(three.runtime.threads).toBe(3);
    expect(typeof three.runtime.relaxedSimd).toBe("boolean");
    three.destroy();
    const plain = await createWasmBackend({ threads: 1, relaxedSimd: false });
    expect(plain.runtime).toMatchObject({ threads: 1, relaxedSimd: false });
    plain.destroy();
  });

  it("rejects bad options with the option's name", async () => {
    await expect(createWasmBackend({ threads: 0 })).rejects.toThrow(/threads must be an integer >= 1, got 0/);
    await expect(createWasmBackend({ maxMemoryMiB: 8 })).rejects.toThrow(/maxMemoryMiB/);
    const tile = 5 as unknown as 2;
    await expect(createWasmBackend({ winograd: tile })).rejects.toThrow(
      /winograd must be true, false, 2, 3 or 4, got 5/,
    );
  });
});

describe("the wasm kernels", () => {
  it("SoftmaxCrossEntropy rejects a label out of range, naming it", async () => {
    await setBackend("wasm");
    const logits = fromArray(new Float32Array(6), [2, 3]);
    const labels = fromArray([1, 3]);
    expect(() => softmaxCrossEntropy(logits, labels)).toThrow(/label 3 at row 1/);
    logits.dispose();
    labels.dispose();
    await setBackend("cpu");
  });
});
