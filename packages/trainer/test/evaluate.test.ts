import { Flatten, Linear, Sequential } from "@resnet-ts/layers";
import { add, fromArray, noGrad, Rng, scale, type Tensor } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { accuracy, argmaxRows, crossEntropy, evaluate, RunningMean } from "../src/index.js";
import { tinyDataset, tinyModel } from "./tiny.js";

describe("metrics", () => {
  const logits = () => fromArray([1, 3, 2, 5, 0, 5, 0, 0, 0], [3, 3]);

  it("takes the first maximum of each row, and counts matches", () => {
    expect(Array.from(argmaxRows(logits()))).toEqual([1, 0, 0]);
    expect(accuracy(logits(), fromArray([1, 0, 2]))).toBeCloseTo(2 / 3, 12);
    expect(() => accuracy(logits(), fromArray([1, 0]))).toThrow(
      "accuracy: labels [2] must be [N] for logits [3,3]",
    );
  });

  it("crossEntropy is the mean negative log-softmax at the label", () => {
    const rows = [
      Math.log(Math.exp(1) + Math.exp(3) + Math.exp(2)) - 3,
      Math.log(2 * Math.exp(5) + 1) - 5,
      Math.log(3),
    ];
    const mean = (rows[0]! + rows[1]! + rows[2]!) / 3;
    expect(crossEntropy(logits(), fromArray([1, 0, 0])).item()).toBeCloseTo(mean, 5);
  });

  it("RunningMean weights its values", () => {
    const m = new RunningMean();
    expect(m.mean).toBeNaN();
    m.add(1, 3).add(3, 1);
    expect(m.mean).toBe(1.5);
    m.reset();
    expect(m.weight).toBe(0);
  });
});

describe("evaluate", () => {
  it("matches one whole-set forward pass, in eval mode, and restores the training mode", async () => {
    const model = tinyModel();
    const data = tinyDataset(23, 3);
    // Move the BatchNorm statistics away from their defaults so that eval mode matters.
    noGrad(() =>
      model.call(
        fromArray(
          Float32Array.from({ length: 8 * 36 }, (_, i) => (i % 7) / 7),
          [8, 1, 6, 6],
        ),
      ),
    );
    model.train();
    const reference = noGrad(() => {
      model.eval();
      const x = fromArray(
        Float32Array.from(data.images, (v) => v / 255),
        [23, 1, 6, 6],
      );
      const labels = fromArray(data.labels);
      const out: Tensor = model.call(x);
      model.train();
      return {
        loss: crossEntropy(out, labels).item(),
        accuracy: accuracy(out, labels),
        predictions: Array.from(argmaxRows(out)),
      };
    });

    const result = await evaluate(model, data, { batchSize: 5, predictions: true, confusion: true });
    expect(model.training).toBe(true);
    expect(result.examples).toBe(23);
    expect(result.loss).toBeCloseTo(reference.loss, 5);
    expect(result.accuracy).toBe(reference.accuracy);
    expect(Array.from(result.predictions!)).toEqual(reference.predictions);
    const confusion = result.confusion!;
    expect(confusion).toHaveLength(3);
    for (let t = 0; t < 3; t++) {
      expect(confusion[t]!.reduce((a, b) => a + b, 0)).toBe(data.labels.filter((l) => l === t).length);
    }
    expect(confusion[0]![0]! + confusion[1]![1]! + confusion[2]![2]!).toBe(
      Math.round(reference.accuracy * 23),
    );
    // The model's own state was not changed by evaluating.
    const before = model.stateDict();
    await evaluate(model, data, { batchSize: 23, resize: 12 });
    expect(model.stateDict()).toEqual(before);
  });

  it("with flip test-time augmentation, scores the mean logits of each image and its mirror image", async () => {
    // A linear map of the pixels, so that the mirror image gives other logits (a global average would not).
    const model = new Sequential(new Flatten(), new Linear(36, 3, { rng: new Rng(3) }));
    const data = tinyDataset(13, 5);
    const side = 6;
    const asTensor = (mirror: boolean) =>
      fromArray(
        Float32Array.from({ length: 13 * side * side }, (_, i) => {
          const x = i % side;
          return data.images[i - x + (mirror ? side - 1 - x : x)]! / 255;
        }),
        [13, 1, side, side],
      );
    const reference = noGrad(() => {
      model.eval();
      const plain = model.call(asTensor(false));
      const mean = scale(add(plain, model.call(asTensor(true))), 0.5);
      const labels = fromArray(data.labels);
      model.train();
      return {
        loss: crossEntropy(mean, labels).item(),
        plainLoss: crossEntropy(plain, labels).item(),
        predictions: Array.from(argmaxRows(mean)),
      };
    });
    const result = await evaluate(model, data, { batchSize: 4, predictions: true, tta: "flip" });
    expect(result.loss).toBeCloseTo(reference.loss, 5);
    expect(Array.from(result.predictions!)).toEqual(reference.predictions);
    // The mirror image changes the answer (the conv is not symmetric), so the test tells the modes apart.
    expect(Math.abs(reference.loss - reference.plainLoss)).toBeGreaterThan(1e-3);
    expect((await evaluate(model, data, { batchSize: 4 })).loss).toBeCloseTo(reference.plainLoss, 5);
  });

  it("stops when its signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("paused"));
    await expect(evaluate(tinyModel(), tinyDataset(10, 1), { signal: controller.signal })).rejects.toThrow(
      "paused",
    );
  });
});
