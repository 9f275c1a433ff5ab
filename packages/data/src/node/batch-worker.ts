/**
 * A batch-building worker thread (see worker-loader.ts): holds the data sets it is sent (their images in
 * shared memory) and answers each batch request with the batch's float32 images and labels, built by the
 * same `buildBatch` as the training thread uses.
 */
import { parentPort } from "node:worker_threads";
import type { Dataset } from "../dataset.js";
import { type BatchTransform, buildBatch } from "../transforms.js";

export type WorkerRequest =
  | { type: "dataset"; id: number; dataset: Dataset }
  | { type: "batch"; id: number; key: number; indices: Uint32Array; seed: number; transform: BatchTransform };

export type WorkerReply =
  | { key: number; images: Float32Array; labels: Float32Array }
  | { key: number; error: string };

const sets = new Map<number, Dataset>();
const port = parentPort!;

port.on("message", (m: WorkerRequest) => {
  if (m.type === "dataset") {
    sets.set(m.id, m.dataset);
    return;
  }
  try {
    const ds = sets.get(m.id);
    if (!ds) throw new Error(`batch worker: no data set ${m.id}`);
    const { images, labels } = buildBatch(ds, m.indices, m.transform, m.seed);
    port.postMessage({ key: m.key, images, labels } satisfies WorkerReply, [
      images.buffer as ArrayBuffer,
      labels.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    port.postMessage({ key: m.key, error: (error as Error).message } satisfies WorkerReply);
  }
});
