/** The benchmark worker: prepares one backend's training step, warms it up, then times it. */
import { timeSteps } from "@resnet-ts/trainer";
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
    imagesPerSecond: 0,
    error: null,
  };
  try {
    const { step, detail } = await prepare(r);
    result.detail = detail;
    const times = await timeSteps(step, r);
    result.stepSeconds = times.map((ms) => ms / 1000);
    result.imagesPerSecond = (r.batch * times.length * 1000) / times.reduce((a, t) => a + t, 0);
  } catch (error) {
    result.error = (error as Error).message;
  }
  scope.postMessage(result);
};
