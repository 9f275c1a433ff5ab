/** Counts a model's forward multiply-adds for one input by watching every Conv2d and Linear run once. */
import { Conv2d, Linear, type Module } from "@resnet-ts/layers";
import { noGrad, tidy, zeros } from "@resnet-ts/tensor";

export function forwardMacs(model: Module, inputShape: readonly number[]): number {
  let macs = 0;
  const watched: Module[] = [];
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof Conv2d || m instanceof Linear)) continue;
    const forward = m.forward.bind(m);
    const perOutput = m instanceof Conv2d ? m.inChannels * m.kernelSize * m.kernelSize : m.inFeatures;
    m.forward = (x) => {
      const y = forward(x);
      macs += y.size * perOutput;
      return y;
    };
    watched.push(m);
  }
  const wasTraining = model.training;
  try {
    model.eval();
    noGrad(() => tidy(() => void model.forward(zeros(inputShape))));
  } finally {
    for (const m of watched) delete (m as { forward?: unknown }).forward;
    model.train(wasTraining);
  }
  return macs / inputShape[0]!;
}
