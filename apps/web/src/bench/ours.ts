/** Our ResNet-18's training step on the chosen backend: the trainer's `benchStep`, as `resnet-ts bench` times it. */
import { getBackend } from "@resnet-ts/tensor";
import { benchStep, createModel } from "@resnet-ts/trainer";
import { activateBackend } from "../worker/backend-choice.js";

export async function prepareOurs(
  backend: string,
  batch: number,
  side: number,
): Promise<{ step: () => Promise<number>; detail: string }> {
  const { name } = await activateBackend(backend, []);
  const model = createModel({ init: "xavier", seed: 0, arrangement: "original", plain: false });
  const { step } = benchStep(model, { batchSize: batch, channels: 1, side });
  const mode = (getBackend() as { mode?: string }).mode;
  return { step, detail: mode ? `${name} (${mode})` : name };
}
