/** One training step of our ResNet-18 (forward, cross-entropy, backward, SGD), as the Trainer takes it. */
import { fromArray, getBackend, Rng, tidy } from "@resnet-ts/tensor";
import { createModel, crossEntropy, SGD } from "@resnet-ts/trainer";
import { activateBackend } from "../worker/backend-choice.js";

export async function prepareOurs(
  backend: string,
  batch: number,
  side: number,
): Promise<{ step: () => void; detail: string }> {
  const { name } = await activateBackend(backend, []);
  const model = createModel({ init: "xavier", seed: 0, block: "original", plain: false });
  const optimizer = new SGD(model.parameters(), { lr: 0.05 });
  const rng = new Rng(1);
  const pixels = Float32Array.from({ length: batch * side * side }, () => rng.next());
  const labels = Float32Array.from({ length: batch }, (_, i) => i % 10);
  const images = fromArray(pixels, [batch, 1, side, side]);
  const targets = fromArray(labels, [batch]);
  model.train();
  const step = () =>
    tidy(() => {
      const loss = crossEntropy(model.call(images), targets);
      loss.item();
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();
    });
  const mode = (getBackend() as { mode?: string }).mode;
  return { step, detail: mode ? `${name} (${mode})` : name };
}
