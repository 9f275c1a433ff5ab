// Fine-tuning controls: frozen parts get no gradient and no update, --freeze-bn keeps their BatchNorm
// statistics, and the head's learning-rate multiplier scales exactly the head's update.
import { TorchvisionResNet } from "@resnet-ts/layers";
import { add, fromArray, mul, sum, tidy } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { frozenPrefixes, resolveConfig, SGD, Trainer } from "../src/index.js";
import { tinySplits } from "./tiny.js";

const narrow = () =>
  new TorchvisionResNet("resnet18", {
    inChannels: 1,
    numClasses: 3,
    smallStem: true,
    widths: [2, 2, 2, 2],
    seed: 3,
  });
const copy = (m: TorchvisionResNet) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.data, Number)]));

async function trainOnce(settings: Record<string, unknown>) {
  const model = narrow();
  const before = copy(model);
  const config = resolveConfig({
    model: "resnet18",
    smallStem: true,
    epochs: 1,
    steps: 2,
    batchSize: 8,
    eval: false,
    lr: 0.1,
    ...settings,
  });
  const trainer = new Trainer(model, tinySplits(), config, { yieldEvery: 0 });
  await trainer.run();
  const after = copy(model);
  const changed = (key: string) => before[key]!.some((v, i) => v !== after[key]![i]);
  return { trainer, model, changed };
}

describe("freezing", () => {
  it("names the frozen parts of torchvision's and d2l's nets", () => {
    const tv = narrow();
    expect(frozenPrefixes(tv, "stem")).toEqual(["conv1", "bn1"]);
    expect(frozenPrefixes(tv, "layers:2")).toEqual(["conv1", "bn1", "layer1", "layer2"]);
    expect(frozenPrefixes(tv, "backbone")).toEqual([
      "conv1",
      "bn1",
      "relu",
      "maxpool",
      "layer1",
      "layer2",
      "layer3",
      "layer4",
      "avgpool",
      "flatten",
    ]);
    expect(frozenPrefixes(tv, "none")).toEqual([]);
  });

  it("backbone: only the head moves; without --freeze-bn the frozen BN statistics still update", async () => {
    const { trainer, model, changed } = await trainOnce({ freeze: "backbone" });
    expect(changed("fc.weight")).toBe(true);
    expect(changed("layer1.0.conv1.weight")).toBe(false);
    expect(changed("bn1.weight")).toBe(false);
    expect(changed("bn1.running_mean")).toBe(true);
    expect(model.conv1.weight.grad).toBeNull();
    expect(trainer.frozen.trainableParameters).toBe(2 * 3 + 3);
  });

  it("layers:1 with --freeze-bn: the stem and layer1 are fixed, statistics included; layer2 trains", async () => {
    const { changed } = await trainOnce({ freeze: "layers:1", freezeBn: true });
    expect(changed("conv1.weight")).toBe(false);
    expect(changed("bn1.running_mean")).toBe(false);
    expect(changed("layer1.1.bn2.running_var")).toBe(false);
    expect(changed("layer1.1.bn2.num_batches_tracked")).toBe(false);
    expect(changed("layer2.0.conv1.weight")).toBe(true);
    expect(changed("layer2.0.bn1.running_mean")).toBe(true);
  });
});

describe("SGD learning-rate scales (parameter groups)", () => {
  it("scales each parameter's step by its multiplier", () => {
    const a = fromArray([1, 2]).requireGrad();
    const b = fromArray([1, 2]).requireGrad();
    const sgd = new SGD([a, b], { lr: 0.1 }, { lrScales: [1, 10] });
    tidy(() => {
      add(sum(mul(a, a)), sum(mul(b, b))).backward();
    });
    sgd.step();
    expect(Array.from(a.dataSync())).toEqual([1 - 0.2, 2 - 0.4].map(Math.fround));
    expect(Array.from(b.dataSync()).map((v) => Number(v.toFixed(5)))).toEqual([1 - 2, 2 - 4]);
    expect(() => new SGD([a], { lr: 0.1 }, { lrScales: [0] })).toThrow(
      /lrScales must hold one finite multiplier > 0/,
    );
  });
});
