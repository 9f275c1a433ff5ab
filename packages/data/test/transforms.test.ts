/**
 * The deterministic transforms against torchvision 0.14 on the same files (Resize + CenterCrop, grey
 * conversion, resized_crop, padded crop, Normalize), and properties of the random ones.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import {
  type Dataset,
  buildBatch,
  datasetNormalization,
  fitImage,
  preprocessImage,
  randomErasingParams,
  randomResizedCropParams,
  resizedCrop,
  writeImage,
} from "../src/index.js";
import { decodeImageFile } from "../src/node.js";
import { classImage, tempDir, writeImage as writeFile } from "./image-fixtures.js";
import { hasTorchvision, runPythonScript } from "./python.js";

const SCRIPT = fileURLToPath(new URL("./torchvision_transforms.py", import.meta.url));

/** HWC uint8 -> CHW. */
const chw = (hwc: Uint8Array, plane: number, c: number) =>
  Uint8Array.from({ length: hwc.length }, (_, i) => hwc[(i % plane) * c + Math.floor(i / plane)]!);

describe.skipIf(!hasTorchvision())(
  "transforms against torchvision (needs /usr/bin/python3 with python3-torchvision)",
  async () => {
    const dir = await tempDir();
    const rng = new Rng(3);
    // Sizes that shrink (antialiased), enlarge, keep, and crop odd margins (round half to even).
    const shapes: [number, number, number][] = [
      [37, 23, 16],
      [23, 37, 16],
      [12, 9, 16],
      [16, 16, 16],
      [41, 40, 12],
      [64, 20, 20],
    ];
    const files = await Promise.all(
      shapes.map(async ([w, h], i) => {
        const path = join(dir, `img${i}.png`);
        await writeFile(path, classImage(rng, i, w, h), w, h);
        return path;
      }),
    );

    for (const mode of ["RGB", "L"] as const) {
      it(`Resize + CenterCrop, resized_crop, padded crop and Normalize equal torchvision's (${mode})`, async () => {
        const channels = mode === "RGB" ? 3 : 1;
        const mean = channels === 3 ? [0.4, 0.5, 0.6] : [0.45];
        const std = channels === 3 ? [0.2, 0.25, 0.3] : [0.22];
        const items = shapes.map(([, , size], i) => {
          const r = new Rng(100 + i);
          return {
            path: files[i],
            mode,
            size,
            crop: Object.values(randomResizedCropParams(r, size, size)),
            pad: [2, r.int(5) - 2, r.int(5) - 2],
            mean,
            std,
          };
        });
        const out = runPythonScript(SCRIPT, [JSON.stringify({ items })]);
        let at = 0;
        const take = (n: number) => {
          at += n;
          return out.subarray(at - n, at);
        };
        for (const [i, item] of items.entries()) {
          const size = item.size;
          const n = size * size * channels;
          const plane = size * size;
          const raw = await decodeImageFile(files[i]!);
          const fitted = fitImage(raw, channels, size);
          expect(Array.from(fitted), `${files[i]} Resize+CenterCrop`).toEqual(
            Array.from(chw(take(n), plane, channels)),
          );
          const [top, left, height, width] = item.crop as [number, number, number, number];
          const cropped = resizedCrop(fitted, channels, size, size, { top, left, height, width }, size);
          expect(Array.from(cropped), `${files[i]} resized_crop`).toEqual(
            Array.from(chw(take(n), plane, channels)),
          );
          // The padded crop through writeImage's "crop" path: replay its draws with a rigged rng.
          const [pad, dy, dx] = item.pad as [number, number, number];
          const ds: Dataset = {
            images: fitted,
            labels: new Uint8Array(1),
            count: 1,
            channels,
            rows: size,
            cols: size,
          };
          const padded = Array.from(chw(take(n), plane, channels), (v) => Math.fround(v / 255));
          const draws = [(dy + pad) / (2 * pad + 1) + 1e-9, (dx + pad) / (2 * pad + 1) + 1e-9, 0.9];
          const rigged = {
            int: (k: number) => Math.floor(draws.shift()! * k),
            next: () => draws.shift()!,
          } as unknown as Rng;
          const got = new Float32Array(n);
          if (pad === Math.max(1, Math.round(size / 8))) {
            writeImage(
              ds,
              0,
              got,
              0,
              { augment: "crop", normalization: null, erasing: 0, mirror: false },
              rigged,
            );
            expect(Array.from(got), `${files[i]} padded crop`).toEqual(padded);
          }
          const norm = new Float32Array(take(4 * n).slice().buffer);
          const mine = preprocessImage(raw, {
            layout: "image-folder",
            classNames: [],
            channels,
            imageSize: size,
            normalize: "dataset",
            normalization: { mean, std },
          });
          for (let k = 0; k < n; k++) expect(mine[k]).toBeCloseTo(norm[k]!, 5);
        }
        expect(at).toBe(out.length);
      });
    }
  },
);

describe("random transforms", () => {
  const size = 8;
  const images = Uint8Array.from({ length: 2 * 3 * size * size }, (_, i) => (i * 37) % 256);
  const ds: Dataset = {
    images,
    labels: new Uint8Array([0, 1]),
    count: 2,
    channels: 3,
    rows: size,
    cols: size,
  };

  it("are a pure function of the batch seed, and change with it", () => {
    for (const augment of ["flip", "crop", "resized-crop"] as const) {
      const t = { augment, normalization: null, erasing: augment === "flip" ? 0.5 : 0, mirror: false };
      const a = buildBatch(ds, [0, 1, 1, 0], t, 7);
      expect(buildBatch(ds, [0, 1, 1, 0], t, 7)).toEqual(a);
      const seeds = [8, 9, 10, 11, 12].map((s) => buildBatch(ds, [0, 1, 1, 0], t, s).images);
      expect(seeds.some((b) => b.some((v, i) => v !== a.images[i]))).toBe(true);
    }
  });

  it("flip mirrors each row, and keeps every pixel", () => {
    const out = new Float32Array(3 * size * size);
    writeImage(ds, 0, out, 0, { augment: "flip", normalization: null, erasing: 0, mirror: false }, {
      next: () => 0.1,
    } as unknown as Rng);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        expect(out[y * size + x]).toBe(Math.fround(images[y * size + size - 1 - x]! / 255));
  });

  it("mirror flips every image without an rng, and undoes a random flip", () => {
    const mirrored = new Float32Array(3 * size * size);
    writeImage(ds, 1, mirrored, 0, { augment: "none", normalization: null, erasing: 0, mirror: true }, null);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const at = c * size * size + y * size;
          expect(mirrored[at + x]).toBe(Math.fround(images[3 * size * size + at + size - 1 - x]! / 255));
        }
    const both = new Float32Array(3 * size * size);
    const flipDraw = { next: () => 0.1 } as unknown as Rng;
    writeImage(ds, 1, both, 0, { augment: "flip", normalization: null, erasing: 0, mirror: true }, flipDraw);
    const plain = new Float32Array(3 * size * size);
    writeImage(ds, 1, plain, 0, { augment: "none", normalization: null, erasing: 0, mirror: false }, null);
    expect(both).toEqual(plain);
  });

  it("RandomResizedCrop's crops lie inside the image with area and ratio in range (or the centre fallback)", () => {
    const rng = new Rng(4);
    for (let i = 0; i < 200; i++) {
      const c = randomResizedCropParams(rng, 20, 30);
      expect(c.top).toBeGreaterThanOrEqual(0);
      expect(c.left).toBeGreaterThanOrEqual(0);
      expect(c.top + c.height).toBeLessThanOrEqual(20);
      expect(c.left + c.width).toBeLessThanOrEqual(30);
      expect(c.height * c.width).toBeGreaterThanOrEqual(Math.floor(0.08 * 600 * 0.8));
    }
  });

  it("RandomErasing's boxes fit strictly inside, with area 2-33% and aspect 0.3-3.3 (up to rounding)", () => {
    const rng = new Rng(5);
    let found = 0;
    for (let i = 0; i < 500; i++) {
      const b = randomErasingParams(rng, 28, 28);
      if (!b) continue;
      found++;
      expect(b.height).toBeLessThan(28);
      expect(b.width).toBeLessThan(28);
      expect(b.top + b.height).toBeLessThanOrEqual(28);
      expect(b.left + b.width).toBeLessThanOrEqual(28);
      // h and w are rounded square roots: each within 0.5 of the exact side.
      const lo = Math.sqrt(0.02 * 784 * 0.3) - 0.5;
      expect(Math.min(b.height, b.width)).toBeGreaterThanOrEqual(Math.max(0, Math.floor(lo)));
      expect((b.height + 0.5) * (b.width + 0.5)).toBeGreaterThanOrEqual(0.02 * 784);
      expect((b.height - 0.5) * (b.width - 0.5)).toBeLessThanOrEqual(0.33 * 784);
      expect((b.height + 0.5) / Math.max(b.width - 0.5, 0.5)).toBeGreaterThanOrEqual(0.3);
      expect((b.height - 0.5) / (b.width + 0.5)).toBeLessThanOrEqual(3.3);
    }
    expect(found).toBeGreaterThan(450);
  });

  it("RandomErasing sets one rectangle to 0 in every channel after Normalize and keeps the rest", () => {
    const norm = { mean: [0.1, 0.2, 0.3], std: [0.5, 0.5, 0.5] };
    const plain = new Float32Array(3 * size * size);
    writeImage(ds, 1, plain, 0, { augment: "none", normalization: norm, erasing: 0, mirror: false }, null);
    const rng = new Rng(11);
    const erased = new Float32Array(plain.length);
    writeImage(ds, 1, erased, 0, { augment: "none", normalization: norm, erasing: 1, mirror: false }, rng);
    // Replay the draws: the p test, then the box.
    const replay = new Rng(11);
    expect(replay.next()).toBeLessThan(1);
    const box = randomErasingParams(replay, size, size)!;
    expect(box).not.toBeNull();
    const plane = size * size;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const inside =
            y >= box.top && y < box.top + box.height && x >= box.left && x < box.left + box.width;
          const i = c * plane + y * size + x;
          expect(erased[i], `c${c} y${y} x${x}`).toBe(inside ? 0 : plain[i]);
        }
    // p = 0 draws nothing and changes nothing; erasing without an rng is refused.
    const none = new Float32Array(plain.length);
    writeImage(ds, 1, none, 0, { augment: "none", normalization: norm, erasing: 0, mirror: false }, null);
    expect(none).toEqual(plain);
    expect(() =>
      writeImage(ds, 1, none, 0, { augment: "none", normalization: norm, erasing: 0.5, mirror: false }, null),
    ).toThrow(/random erasing needs an rng/);
  });

  it("dataset normalisation is the per-channel mean and population std of pixels / 255", () => {
    const n = datasetNormalization(ds);
    const plane = size * size;
    for (let c = 0; c < 3; c++) {
      const values = [0, 1].flatMap((i) =>
        Array.from(images.subarray((i * 3 + c) * plane, (i * 3 + c + 1) * plane), (v) => v / 255),
      );
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      expect(n.mean[c]).toBeCloseTo(mean, 12);
      expect(n.std[c]).toBeCloseTo(std, 12);
    }
  });
});
