import {
  Rng,
  type Tensor,
  adaptiveAvgPool2d,
  add,
  batchNormTrain,
  biasAdd,
  conv2d,
  flatten,
  fromArray,
  getBackend,
  matmul,
  maxPool2d,
  relu,
  setBackend,
  sgdUpdate,
  softmaxCrossEntropy,
  tidy,
} from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import type { WasmBackend } from "../src/index.js";
import { WASM_BACKENDS, mismatch, random } from "./helpers.js";

/** A small residual net's training step; returns the loss and every parameter after one SGD step. */
function trainStep(
  host: Record<string, { values: Float32Array; shape: number[] }>,
): Record<string, Float32Array> {
  const p: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(host))
    p[k] = fromArray(v.values, v.shape).requireGrad(!/^(x|labels|rm|rv)/.test(k));
  const bn = (t: Tensor, i: number) =>
    batchNormTrain(t, {
      gamma: p[`g${i}`]!,
      beta: p[`b${i}`]!,
      runningMean: p[`rm${i}`]!,
      runningVar: p[`rv${i}`]!,
      eps: 1e-5,
      momentum: 0.1,
    });
  const loss = tidy(() => {
    let y = relu(bn(conv2d(p.x!, p.w1!, p.c1!, { stride: 2, padding: 3 }), 1));
    y = maxPool2d(y, 3, { stride: 2, padding: 1 });
    const r = relu(bn(conv2d(y, p.w2!, p.c2!, { padding: 1 }), 2));
    const s = bn(conv2d(r, p.w3!, p.c3!, { padding: 1 }), 3);
    y = relu(add(s, conv2d(y, p.w4!, p.c4!, { stride: 1 })));
    const h = flatten(adaptiveAvgPool2d(y, 1));
    const logits = biasAdd(matmul(h, p.fw!, { transposeB: true }), p.fb!);
    const l = softmaxCrossEntropy(logits, p.labels!);
    l.backward();
    return l;
  });
  const out: Record<string, Float32Array> = { loss: loss.dataSync() };
  for (const [k, t] of Object.entries(p)) {
    if (t.grad) sgdUpdate(t, t.grad, null, { lr: 0.05 });
    out[k] = t.dataSync();
  }
  return out;
}

describe("a conv-bn-relu-pool-residual-linear-loss training step", () => {
  it("gives the same loss, updated weights and running statistics on wasm as on cpu", async () => {
    const rng = new Rng(7);
    const n = 6;
    const host = {
      x: random([n, 1, 17, 17], rng, { low: 0, high: 1 }),
      labels: { values: Float32Array.from({ length: n }, (_, i) => i % 10), shape: [n] },
      w1: random([8, 1, 7, 7], rng, { low: -0.3, high: 0.3 }),
      c1: random([8], rng),
      w2: random([12, 8, 3, 3], rng, { low: -0.2, high: 0.2 }),
      c2: random([12], rng),
      w3: random([12, 12, 3, 3], rng, { low: -0.2, high: 0.2 }),
      c3: random([12], rng),
      w4: random([12, 8, 1, 1], rng, { low: -0.3, high: 0.3 }),
      c4: random([12], rng),
      fw: random([10, 12], rng, { low: -0.3, high: 0.3 }),
      fb: random([10], rng),
      ...Object.fromEntries(
        [1, 2, 3].flatMap((i) => {
          const c = i === 1 ? 8 : 12;
          return [
            [`g${i}`, random([c], rng, { low: 0.5, high: 1.5 })],
            [`b${i}`, random([c], rng)],
            [`rm${i}`, random([c], rng)],
            [`rv${i}`, random([c], rng, { low: 0.5, high: 1.5 })],
          ];
        }),
      ),
    };
    await setBackend("cpu");
    const want = trainStep(host);
    for (const name of WASM_BACKENDS) {
      const backend = await setBackend(name);
      expect(getBackend().name).toBe("wasm");
      const buffersBefore = backend.memory().buffers;
      const got = trainStep(host);
      for (const [k, v] of Object.entries(want)) {
        // Relative to each tensor's largest entry (the test asks max relative difference <= 1e-4).
        let scale = 0;
        for (const e of v) scale = Math.max(scale, Math.abs(e));
        let worst = 0;
        for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(got[k]![i]! - v[i]!) / scale);
        expect(worst, `${name}: ${k}`).toBeLessThanOrEqual(1e-4);
        expect(mismatch(got[k]!, v), `${name}: ${k}`).toBeNull();
      }
      // Only the step's own parameters (not disposed here) stay alive: the tidy freed every intermediate.
      expect(backend.memory().buffers - buffersBefore).toBeLessThanOrEqual(Object.keys(host).length * 2);
    }
  });
});

describe("the wasm backend's storage", () => {
  it("reuses freed blocks so the heap stays flat across repeated steps", async () => {
    const backend = await setBackend("wasm");
    const rng = new Rng(3);
    const x = fromArray(random([8, 16, 12, 12], rng).values, [8, 16, 12, 12]);
    const w = fromArray(random([16, 16, 3, 3], rng).values, [16, 16, 3, 3]).requireGrad();
    const fw = fromArray(random([16, 10], rng).values, [16, 10]);
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
