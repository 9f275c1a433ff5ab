/**
 * Winograd F(2x2, 3x3) (src/kernels/winograd.ts) beyond the shapes of kernels.test.ts: which convs take
 * it, images split into several chunks, adversarial magnitudes, and results that do not depend on the
 * thread count.
 */
import { type HostTensor, type KernelCase, compareValues, runKernelCase } from "@resnet-ts/kernel-tests";
import {
  type ConvGeometry,
  type KernelName,
  type Pair,
  Rng,
  convGeometry,
  registerBackend,
} from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import type { WasmBackend } from "../src/backend.js";
import { createWasmBackend } from "../src/index.js";
import { winogradFilterGrad, winogradFits, winogradForward } from "../src/kernels/winograd.js";
import { WASM_INSTANCES } from "./instances.js";

const rng = new Rng(16);

type HostInputs = Record<string, HostTensor>;

function random(shape: number[], { low = -1, high = 1 } = {}): HostTensor {
  return {
    shape,
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(low, high)),
  };
}

/** A case of this file's own (the shared ones are in @resnet-ts/kernel-tests). */
const kernelCase = <K extends KernelName>(kernel: K, inputs: HostInputs, attrs: KernelCase<K>["attrs"]) =>
  ({ kernel, name: "winograd.test", inputs, attrs }) as KernelCase<K>;

/** The case's one output on `backend`. */
async function output(backend: string, c: KernelCase): Promise<HostTensor> {
  const run = await runKernelCase(backend, c);
  if (run.error !== undefined) throw new Error(run.error);
  return run.results.get("output")!;
}

describe("Winograd selection", () => {
  it("takes stride-1 3x3 convs with even outputs of 6x6 and up or any of 12x12 and up, when the backend allows it", async () => {
    const on = await createWasmBackend({ threads: 1 });
    const off = await createWasmBackend({ threads: 1, winograd: false });
    const g = (h: number, k: number, s: number, p: number) =>
      convGeometry([1, 1, h, h], [1, 1, k, k], [s, s], [p, p]);
    expect(winogradFits(on, g(6, 3, 1, 1))).toBe(true);
    expect(winogradFits(on, g(8, 3, 1, 0))).toBe(true);
    expect(winogradFits(on, g(5, 3, 1, 1))).toBe(false);
    expect(winogradFits(on, g(7, 3, 1, 1))).toBe(false);
    expect(winogradFits(on, g(13, 3, 1, 1))).toBe(true);
    expect(winogradFits(on, g(12, 3, 2, 1))).toBe(false);
    expect(winogradFits(on, g(12, 1, 1, 0))).toBe(false);
    expect(winogradFits(off, g(12, 3, 1, 1))).toBe(false);
    on.destroy();
    off.destroy();
  });
});

/** Runs the Winograd forward and filter gradient on `backend` with chunks of `chunkFloats`. */
function direct(backend: WasmBackend, g: ConvGeometry, inputs: HostInputs, chunkFloats: number) {
  const put = (v: Float32Array) => backend.write(v);
  const [x, w, b, dy] = [inputs.x!, inputs.w!, inputs.b!, inputs.dy!].map((t) => put(t.values));
  const y = backend.make(g.n * g.o * g.oh * g.ow);
  const dw = backend.make(g.o * g.c * 9);
  const p = (d: unknown) => backend.ptr(d as never);
  winogradForward(backend, p(x), g, p(w), false, p(b), y.ptr, chunkFloats);
  winogradFilterGrad(backend, p(x), p(dy), g, dw.ptr, chunkFloats);
  const out = { y: backend.readSync(y), dw: backend.readSync(dw) };
  for (const d of [x, w, b, dy, y, dw]) backend.disposeData(d!);
  return out;
}

describe("Winograd matches the cpu backend", () => {
  it("with the batch split into chunks of one and of two images", async () => {
    const xs = [5, 6, 10, 11];
    const g = convGeometry(xs, [7, 6, 3, 3], [1, 1], [1, 1]);
    const inputs = {
      x: random(xs),
      w: random([7, 6, 3, 3]),
      b: random([7]),
      dy: random([g.n, g.o, g.oh, g.ow]),
    };
    const attrs = { stride: [1, 1] as Pair, pad: [1, 1] as Pair };
    const y = await output("cpu", kernelCase("Conv2D", { x: inputs.x, w: inputs.w, b: inputs.b }, attrs));
    const dwCase = kernelCase(
      "Conv2DBackpropFilter",
      { x: inputs.x, dy: inputs.dy },
      { ...attrs, wShape: [7, 6, 3, 3] },
    );
    const dw = await output("cpu", dwCase);
    const backend = await createWasmBackend({ threads: 3 });
    const tiles = 16 * 8 * 5 * 6; // floats per image: 16 matrices x 8 padded rows x 30 tiles
    for (const chunk of [tiles, 2 * tiles + 1]) {
      const got = direct(backend, g, inputs, chunk);
      expect(compareValues(y, { shape: y.shape, values: got.y }), `forward, chunk ${chunk}`).toBeNull();
      expect(
        compareValues(dw, { shape: dw.shape, values: got.dw }),
        `filter gradient, chunk ${chunk}`,
      ).toBeNull();
    }
    backend.destroy();
  });

  it("with adversarial magnitudes: a few huge values among small ones, filters over six decades", async () => {
    // Winograd's own tolerance: the transforms mix the 16 inputs of a tile, so the error of an output
    // is relative to the largest value its tile meets, not to the output itself. Each output plane
    // (an image's channel) is held to the suite's rule with atol = 1e-5 of the plane's largest value.
    const xs = [2, 8, 14, 14];
    const x = random(xs, { low: -1e-3, high: 1e-3 });
    for (let i = 0; i < x.values.length; i += 37) x.values[i] = (i % 2 ? 1 : -1) * 3e4;
    const w = random([9, 8, 3, 3]);
    for (let i = 0; i < w.values.length; i++) w.values[i]! *= 10 ** (-3 + (i % 7));
    const dy = random([2, 9, 14, 14]);
    for (let i = 0; i < dy.values.length; i += 23) dy.values[i] = 5e3;
    const attrs = { stride: [1, 1] as Pair, pad: [1, 1] as Pair };
    const cases = [
      kernelCase("Conv2D", { x, w }, attrs),
      kernelCase("Conv2DBackpropInput", { dy, w }, { ...attrs, xShape: xs }),
      kernelCase("Conv2DBackpropFilter", { x, dy }, { ...attrs, wShape: [9, 8, 3, 3] }),
    ];
    for (const c of cases) {
      const want = await output("cpu", c);
      const plane = want.shape[2]! * want.shape[3]!;
      for (const name of WASM_INSTANCES) {
        const got = await output(name, c);
        for (let p = 0; p < want.values.length / plane; p++) {
          const part = (t: HostTensor) => ({
            shape: [plane],
            values: t.values.subarray(p * plane, (p + 1) * plane),
          });
          const max = part(want).values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          const problem = compareValues(part(want), part(got), { atol: 1e-5 * max });
          expect(problem, `${c.kernel} on ${name}, plane ${p}`).toBeNull();
        }
      }
    }
  });
});

describe("Winograd results", () => {
  it("are the same bits on 1, 2 and 3 threads", async () => {
    const xs = [3, 12, 16, 16];
    const inputs = { x: random(xs), w: random([20, 12, 3, 3]) };
    const dy = random([3, 20, 16, 16]);
    const attrs = { stride: [1, 1] as Pair, pad: [1, 1] as Pair };
    const results: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) {
      const backend = await createWasmBackend({ threads });
      registerBackend(`wasm-wino-${threads}`, () => backend);
      const name = `wasm-wino-${threads}`;
      results.push([
        (await output(name, kernelCase("Conv2D", inputs, attrs))).values,
        (await output(name, kernelCase("Conv2DBackpropInput", { dy, w: inputs.w }, { ...attrs, xShape: xs })))
          .values,
        (
          await output(
            name,
            kernelCase("Conv2DBackpropFilter", { x: inputs.x, dy }, { ...attrs, wShape: [20, 12, 3, 3] }),
          )
        ).values,
      ]);
    }
    for (const r of results.slice(1)) {
      for (let k = 0; k < 3; k++)
        expect(Buffer.from(r[k]!.buffer).equals(Buffer.from(results[0]![k]!.buffer))).toBe(true);
    }
  });
});
