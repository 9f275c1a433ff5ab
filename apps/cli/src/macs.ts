/** Counts a model's forward multiply-adds for one input by watching every Conv2d and Linear run once. */
import { Conv2d, Linear, type Module, observeForward } from "@resnet-ts/layers";

export function forwardMacs(model: Module, inputShape: readonly number[]): number {
  let macs = 0;
  observeForward(model, inputShape, (m) => {
    if (!(m instanceof Conv2d || m instanceof Linear)) return null;
    const perOutput = m instanceof Conv2d ? m.inChannels * m.kernelSize * m.kernelSize : m.inFeatures;
    return (y) => {
      macs += y.size * perOutput;
    };
  });
  return macs / inputShape[0]!;
}
