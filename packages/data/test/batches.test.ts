import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { type Batch, type Dataset, batches, numBatches } from "../src/index.js";
import { synthetic } from "./helpers.js";

/** Reads every batch's arrays and disposes its tensors. */
function collect(gen: Generator<Batch>) {
  return [...gen].map((b) => {
    const out = {
      images: b.images.dataSync().slice(),
      shape: b.images.shape,
      labels: Array.from(b.labels.dataSync()),
    };
    b.images.dispose();
    b.labels.dispose();
    return { ...out, indices: Array.from(b.indices), size: b.size, labelShape: b.labels.shape };
  });
}

/** Bilinear resize of one h x w plane, align_corners=False, in float64 (independent of the kernel). */
function resizeReference(src: ArrayLike<number>, h: number, w: number, oh: number, ow: number): number[] {
  const coord = (o: number, inSize: number, outSize: number) => {
    const s = Math.max(((o + 0.5) * inSize) / outSize - 0.5, 0);
    const i0 = Math.floor(s);
    return { i0, i1: Math.min(i0 + 1, inSize - 1), t: s - i0 };
  };
  const out: number[] = [];
  for (let y = 0; y < oh; y++) {
    const cy = coord(y, h, oh);
    for (let x = 0; x < ow; x++) {
      const cx = coord(x, w, ow);
      const at = (r: number, c: number) => src[r * w + c]!;
      out.push(
        (1 - cy.t) * ((1 - cx.t) * at(cy.i0, cx.i0) + cx.t * at(cy.i0, cx.i1)) +
          cy.t * ((1 - cx.t) * at(cy.i1, cx.i0) + cx.t * at(cy.i1, cx.i1)),
      );
    }
  }
  return out;
}

describe("batches", () => {
  const ds = synthetic(23);

  it("yields full batches, then the partial last one, or drops it", () => {
    const all = collect(batches(ds, { batchSize: 5, shuffle: false }));
    expect(all.map((b) => b.size)).toEqual([5, 5, 5, 5, 3]);
    expect(all.map((b) => b.shape)).toEqual([...Array(4).fill([5, 1, 4, 3]), [3, 1, 4, 3]]);
    expect(all[4]!.labelShape).toEqual([3]);
    expect(all.flatMap((b) => b.indices)).toEqual([...Array(23).keys()]);
    expect(numBatches(ds, { batchSize: 5 })).toBe(5);
    const dropped = collect(batches(ds, { batchSize: 5, shuffle: false, dropLast: true }));
    expect(dropped.map((b) => b.size)).toEqual([5, 5, 5, 5]);
    expect(numBatches(ds, { batchSize: 5, dropLast: true })).toBe(4);
    expect(collect(batches(ds, { batchSize: 23, shuffle: false, dropLast: true })).length).toBe(1);
    expect(numBatches(ds, { batchSize: 24, dropLast: true })).toBe(0);
  });

  it("gives pixels / 255 and the labels of the examples it names", () => {
    const rng = new Rng(5);
    for (const b of collect(batches(ds, { batchSize: 4, shuffle: true, rng }))) {
      b.indices.forEach((index, k) => {
        expect(b.labels[k]).toBe(ds.labels[index]);
        for (let p = 0; p < 12; p++) {
          expect(b.images[k * 12 + p]).toBe(Math.fround(ds.images[index * 12 + p]! / 255));
        }
      });
    }
  });

  it("keeps colour images channel-first: [B,3,H,W]", () => {
    const images = Uint8Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => 10 * i);
    const rgb: Dataset = { images, labels: new Uint8Array([1, 0]), count: 2, channels: 3, rows: 2, cols: 2 };
    const [b] = collect(batches(rgb, { batchSize: 2, shuffle: false }));
    expect(b!.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(b!.images)).toEqual(Array.from(images, (v) => Math.fround(v / 255)));
  });

  it("shuffles deterministically per seed, each index exactly once, differently each epoch", () => {
    const order = (rng: Rng, d: Dataset = ds) =>
      collect(batches(d, { batchSize: 7, shuffle: true, rng })).flatMap((b) => b.indices);
    const a = order(new Rng(42));
    expect(order(new Rng(42))).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(23).keys()]);
    expect(a).not.toEqual([...Array(23).keys()]);
    expect(order(new Rng(43))).not.toEqual(a);
    const rng = new Rng(42);
    const first = order(rng);
    expect(first).toEqual(a);
    expect(order(rng)).not.toEqual(first);
  });

  it("draws the order at call time, not at the first next()", () => {
    const rng = new Rng(9);
    const gen1 = batches(ds, { batchSize: 23, shuffle: true, rng });
    const gen2 = batches(ds, { batchSize: 23, shuffle: true, rng });
    const check = new Rng(9);
    const expected1 = check.shuffle(Uint32Array.from(ds.labels.keys()));
    const expected2 = check.shuffle(Uint32Array.from(ds.labels.keys()));
    expect(collect(gen2)[0]!.indices).toEqual(Array.from(expected2));
    expect(collect(gen1)[0]!.indices).toEqual(Array.from(expected1));
  });

  it("matches PyTorch's bilinear upsampling (align_corners=False) on a known 2x2 -> 4x4 case", () => {
    const tiny: Dataset = {
      images: new Uint8Array([1, 2, 3, 4]),
      labels: new Uint8Array([7]),
      count: 1,
      channels: 1,
      rows: 2,
      cols: 2,
    };
    const [b] = collect(batches(tiny, { batchSize: 1, shuffle: false, resize: 4 }));
    // torch.nn.functional.interpolate([[1,2],[3,4]], size=4, mode='bilinear', align_corners=False)
    const torch = [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4];
    expect(b!.shape).toEqual([1, 1, 4, 4]);
    Array.from(b!.images).forEach((v, i) => {
      expect(v).toBeCloseTo(torch[i]! / 255, 7);
    });
  });

  it("resizes 28x28 images to 96x96 like a float64 reference", () => {
    const images = synthetic(3, 28, 28);
    const [b] = collect(batches(images, { batchSize: 3, shuffle: false, resize: 96 }));
    expect(b!.shape).toEqual([3, 1, 96, 96]);
    let maxErr = 0;
    for (let k = 0; k < 3; k++) {
      const plane = Array.from(images.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
      const ref = resizeReference(plane, 28, 28, 96, 96);
      ref.forEach((r, i) => {
        maxErr = Math.max(maxErr, Math.abs(b!.images[k * 9216 + i]! - r));
      });
    }
    expect(maxErr).toBeLessThan(1e-6);
    // Output (0,0) maps to source max(0.5 * 28 / 96 - 0.5, 0) = 0 on both axes: the corner pixel itself.
    expect(b!.images[0]).toBe(Math.fround(images.images[0]! / 255));
  });

  it("rejects bad options with the value and what was expected", () => {
    expect(() => batches(ds, { batchSize: 0, shuffle: false })).toThrow(
      "batches: batchSize must be an integer >= 1, got 0",
    );
    expect(() => batches(ds, { batchSize: 2, shuffle: true })).toThrow("batches: shuffle: true needs an rng");
    expect(() => batches(ds, { batchSize: 2, shuffle: false, resize: 0 })).toThrow(
      "batches: resize must be an integer >= 1, got 0",
    );
  });
});

describe("browser-safe entry", () => {
  it("imports nothing from node: in the files that src/index.ts reaches", () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(src, file), "utf8");
      for (const [, spec] of text.matchAll(/from\s+"([^"]+)"/g)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^node:|^\.\/node/);
        if (spec!.startsWith("./")) visit(spec!.slice(2).replace(/\.js$/, ".ts"));
      }
    };
    visit("index.ts");
    expect(seen.size).toBeGreaterThan(5);
  });
});
