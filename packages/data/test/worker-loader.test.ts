/** Background batch building: the same batches as on the training thread, whatever the worker count. */
import { Rng } from "@resnet-ts/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { type Batch, type BatchOptions, type Dataset, batches } from "../src/index.js";
import { WorkerLoader } from "../src/node.js";

async function collect(stream: Iterator<Batch> | AsyncIterator<Batch>) {
  const out: { images: number[]; labels: number[]; shape: readonly number[] }[] = [];
  for (;;) {
    const next = await stream.next();
    if (next.done) break;
    const b = next.value;
    out.push({
      images: Array.from(b.images.dataSync()),
      labels: Array.from(b.labels.dataSync()),
      shape: b.images.shape,
    });
    b.images.dispose();
    b.labels.dispose();
  }
  return out;
}

describe("WorkerLoader", () => {
  const size = 12;
  const count = 37;
  const rng = new Rng(2);
  const ds: Dataset = {
    images: Uint8Array.from({ length: count * 3 * size * size }, () => rng.int(256)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 4),
    count,
    channels: 3,
    rows: size,
    cols: size,
  };
  const loaders = [1, 3].map((n) => new WorkerLoader(n, { prefetch: 2 }));
  afterAll(() => Promise.all(loaders.map((l) => l.close())));

  for (const augment of ["none", "crop", "resized-crop"] as const) {
    const erasing = augment === "crop" ? 0 : 0.5;
    it(`gives the training thread's batches with 1 and 3 workers (augment ${augment}, erasing ${erasing}, normalised, from batch 1)`, async () => {
      const opts = (): BatchOptions => ({
        batchSize: 8,
        shuffle: true,
        rng: new Rng(9),
        augment,
        erasing,
        normalization: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.4] },
        start: 1,
      });
      const expected = await collect(batches(ds, opts()));
      expect(expected.length).toBe(4);
      expect(expected[3]!.shape).toEqual([5, 3, size, size]);
      for (const loader of loaders) expect(await collect(loader.load(ds, opts()))).toEqual(expected);
    });
  }

  it("reports a bad worker count", () => {
    expect(() => new WorkerLoader(0)).toThrow("--workers 0: expected an integer from 1 to 64");
  });
});
