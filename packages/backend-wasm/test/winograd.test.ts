/**
 * Winograd F(2x2, 3x3), F(3x3, 3x3) and F(4x4, 3x3) (src/kernels/winograd.ts) beyond the shapes of
 * kernels.test.ts: which convs take it with which tile, images split into several chunks, partial tiles
 * and partial runs of four tiles, adversarial magnitudes, and results that do not depend on the thread
 * count; each with every tile forced.
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
import {
  type WinogradTile,
  winogradFilterGrad,
  winogradForward,
  winogradTile,
} from "../src/kernels/winograd.js";
import { WASM_INSTANCES, WINOGRAD_TOLERANCE } from "./instances.js";

const TILES = [2, 3, 4] as const;
for (const m of TILES) {
  registerBackend(`wasm-f${m}`, () => createWasmBackend({ threads: 3, winograd: m }));
  registerBackend(`wasm-f${m}-plain`, () =>
    createWasmBackend({ threads: 1, relaxedSimd: false, winograd: m }),
  );
}

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
  it("takes the tile with the fewest products per output on maps of 3x3 and up, or the forced one", async () => {
    const on = await createWasmBackend({ threads: 1 });
    const off = await createWasmBackend({ threads: 1, winograd: false });
    const forced = await Promise.all(TILES.map((m) => createWasmBackend({ threads: 1, winograd: m })));
    const g = (h: number, k: number, s: number, p: number, w = h) =>
      convGeometry([1, 1, h, w], [1, 1, k, k], [s, s], [p, p]);
    // [geometry, default tile]
    for (const [geometry, tile] of [
      [g(3, 3, 1, 1), 3], // 25 products per 9 outputs; F(4x4): 36 per 9
      [g(5, 3, 1, 1), 3],
      [g(6, 3, 1, 1), 3],
      [g(8, 3, 1, 0), 3], // 6x6 outputs
      [g(9, 3, 1, 1), 3],
      [g(4, 3, 1, 1), 4],
      [g(7, 3, 1, 1), 4], // 4 tiles x 36 for 49 outputs; F(3x3): 9 x 25
      [g(10, 3, 1, 0), 4], // 8x8
      [g(10, 3, 1, 1), 4],
      [g(12, 3, 1, 1), 4],
      [g(13, 3, 1, 1), 4],
      [g(18, 3, 1, 1), 4], // a tie: 25 x 36 and 36 x 25
      [g(3, 3, 1, 1, 12), 3], // 3x12: 4 x 25 against 3 x 36
      [g(2, 3, 1, 1), 0],
      [g(2, 3, 1, 1, 12), 0],
      [g(12, 3, 2, 1), 0],
      [g(12, 1, 1, 0), 0],
    ] as const) {
      const at = `${geometry.oh}x${geometry.ow}`;
      expect(winogradTile(on, geometry), at).toBe(tile);
      for (const [i, m] of TILES.entries()) {
        expect(winogradTile(forced[i]!, geometry), `${at}, forced ${m}`).toBe(tile && m);
      }
      expect(winogradTile(off, geometry), at).toBe(0);
    }
    for (const b of [on, off, ...forced]) b.destroy();
  });
});

/** F(2x2) is held to the suites' rule, F(3x3) and F(4x4) to WINOGRAD_TOLERANCE (./instances.ts). */
const tileTolerance = (m: WinogradTile) => (m === 2 ? undefined : WINOGRAD_TOLERANCE);

/** Runs the Winograd forward and filter gradient with tile m on `backend` with chunks of `chunkFloats`. */
function direct(
  backend: WasmBackend,
  m: WinogradTile,
  g: ConvGeometry,
  inputs: HostInputs,
  chunkFloats: number,
) {
  const put = (v: Float32Array) => backend.write(v);
  const [x, w, b, dy] = [inputs.x!, inputs.w!, inputs.b!, inputs.dy!].map((t) => put(t.values));
  const y = backend.make(g.n * g.o * g.oh * g.ow);
  const dw = backend.make(g.o * g.c * 9);
  const p = (d: unknown) => backend.ptr(d as never);
  winogradForward(backend, m, p(x), g, p(w), false, p(b), y.ptr, chunkFloats);
  winogradFilterGrad(backend, m, p(x), p(dy), g, dw.ptr, chunkFloats);
  const out = { y: backend.readSync(y), dw: backend.readSync(dw) };
  for (const d of [x, w, b, dy, y, dw]) backend.disposeData(d!);
  return out;
}

describe("Winograd matches the cpu backend", () => {
  it.each([
    [2, [5, 6, 10, 11]],
    [3, [5, 6, 10, 11]],
    [3, [3, 6, 22, 19]],
    [4, [5, 6, 10, 11]],
    [4, [3, 6, 22, 19]],
    [3, [6, 6, 3, 3]],
    [4, [5, 6, 4, 4]],
    [4, [7, 6, 4, 7]],
  ] as const)(
    "tile %i (F(mxm, 3x3)) on %j with the batch split into chunks of one image, of two and in one chunk",
    async (m, xs) => {
      // 10x11 leaves partial tiles at the right and bottom edges for every tile; 22x19 (F(3x3): 8x7 tiles,
      // F(4x4): 6x5) also a partial run of tiles after a run of four in each row. 3x3 (one 3x3 tile),
      // 4x4 (one 4x4 tile) and 4x7 (two 4x4 tiles) take four images' tiles per vector, in blocks of four
      // images that the chunks and the batch's end cut short.
      const g = convGeometry([...xs], [7, 6, 3, 3], [1, 1], [1, 1]);
      const inputs = {
        x: random([...xs]),
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
      // Floats per image: (m + 2)^2 matrices x 8 padded rows x the image's tiles.
      const tiles = (m + 2) ** 2 * 8 * Math.ceil(g.oh / m) * Math.ceil(g.ow / m);
      for (const chunk of [tiles, 2 * tiles + 1, 100 * tiles]) {
        const got = direct(backend, m, g, inputs, chunk);
        for (const [what, want, values] of [
          ["forward", y, got.y],
          ["filter gradient", dw, got.dw],
        ] as const) {
          expect(
            compareValues(want, { shape: want.shape, values }, tileTolerance(m)),
            `${what}, chunk ${chunk}`,
          ).toBeNull();
        }
      }
      backend.destroy();
    },
  );

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
      for (const name of [...WASM_INSTANCES, ...TILES.flatMap((m) => [`wasm-f${m}`, `wasm-f${m}-plain`])]) {
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
  it.each([
    [2, 16],
    [3, 16],
    [4, 16],
    [3, 3],
    [4, 4],
  ] as const)("are the same bits on 1, 2 and 3 threads with tile %i on maps of side %i", async (m, side) => {
    const xs = [7, 12, side, side];
    const inputs = { x: random(xs), w: random([20, 12, 3, 3]) };
    const dy = random([7, 20, side, side]);
    const attrs = { stride: [1, 1] as Pair, pad: [1, 1] as Pair };
    const results: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) {
      const backend = await createWasmBackend({ threads, winograd: m });
      const name = `wasm-wino${m}-${side}-${threads}`;
      registerBackend(name, () => backend);
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
