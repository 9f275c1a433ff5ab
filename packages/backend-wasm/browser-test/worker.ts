/**
 * Runs in a Web Worker, as the trainer does in a browser: a small conv training step on the cpu and
 * on the wasm backend (with its own worker threads), reporting the largest difference.
 */
import { Rng, conv2d, fromArray, relu, setBackend, sum, mul, type Tensor } from "@resnet-ts/tensor";
import { registerWasmBackend } from "../src/index.js";

registerWasmBackend();

function step(x: Float32Array, w: Float32Array): Float32Array[] {
  const xt = fromArray(x, [3, 4, 9, 9]).requireGrad();
  const wt = fromArray(w, [6, 4, 3, 3]).requireGrad();
  const y = relu(conv2d(xt, wt, null, { stride: 2, padding: 1 }));
  const l: Tensor = sum(mul(y, y));
  l.backward();
  return [y.dataSync(), xt.grad!.dataSync(), wt.grad!.dataSync()];
}

self.onmessage = async () => {
  try {
    const rng = new Rng(5);
    const x = Float32Array.from({ length: 3 * 4 * 81 }, () => rng.uniform(-1, 1));
    const w = Float32Array.from({ length: 6 * 4 * 9 }, () => rng.uniform(-1, 1));
    await setBackend("cpu");
    const want = step(x, w);
    const backend = (await setBackend()) as unknown as {
      name: string;
      runtime: { threads: number; relaxedSimd: boolean };
    };
    const got = step(x, w);
    let maxRelDiff = 0;
    want.forEach((v, t) => {
      const scale = Math.max(...v.map(Math.abs));
      for (let i = 0; i < v.length; i++)
        maxRelDiff = Math.max(maxRelDiff, Math.abs(got[t]![i]! - v[i]!) / scale);
    });
    postMessage({
      backend: backend.name,
      threads: backend.runtime.threads,
      relaxedSimd: backend.runtime.relaxedSimd,
      maxRelDiff,
    });
  } catch (e) {
    postMessage({ error: String((e as Error).stack ?? e) });
  }
};
