/** The benchmark worker: prepares one backend's training step, warms it up, then times it. */
import type { BenchRequest, BenchResult } from "./protocol.js";

const scope = self as unknown as {
  postMessage(message: BenchResult): void;
  onmessage: ((event: MessageEvent<BenchRequest>) => void) | null;
};

async function prepare(r: BenchRequest): Promise<{ step: () => unknown; detail: string }> {
  if (r.backend === "tfjs-webgl") return (await import("./tfjs-resnet.js")).prepareTfjs(r.batch, r.side);
  return (await import("./ours.js")).prepareOurs(r.backend, r.batch, r.side);
}

scope.onmessage = async ({ data: r }) => {
  const result: BenchResult = {
    backend: r.backend,
    detail: "",
    batch: r.batch,
    side: r.side,
    stepSeconds: [],
    imagesPerSec: 0,
    error: null,
  };
  try {
    const { step, detail } = await prepare(r);
    result.detail = detail;
    for (let i = 0; i < r.warmup; i++) await step();
    let total = 0;
    while (result.stepSeconds.length < r.steps && (result.stepSeconds.length === 0 || total < r.maxSeconds)) {
      const t0 = performance.now();
      await step();
      const seconds = (performance.now() - t0) / 1000;
      result.stepSeconds.push(seconds);
      total += seconds;
    }
    result.imagesPerSec = (r.batch * result.stepSeconds.length) / total;
  } catch (error) {
    result.error = (error as Error).message;
  }
  scope.postMessage(result);
};
