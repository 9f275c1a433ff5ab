/** observeForward: what each watched module outputs in one pass, and a model left as it was. */
import { getBackend } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  type Module,
  observeForward,
  ReLU,
  Sequential,
} from "../src/index.js";

function net() {
  const shared = new Linear(3, 3);
  const bn = new BatchNorm2d(2);
  const model = new Sequential(
    new Conv2d(1, 2, 3),
    bn,
    new ReLU(),
    new Flatten(),
    new Linear(32, 3),
    shared,
    shared,
  );
  return { model, bn };
}

describe("observeForward", () => {
  it("calls each watched module's callback with every output it makes, in order", () => {
    const { model } = net();
    const seen: string[] = [];
    observeForward(model, [2, 1, 6, 6], (m) =>
      m === model ? null : (y) => seen.push(`${m.constructor.name} [${y.shape.join(", ")}]`),
    );
    expect(seen).toEqual([
      "Conv2d [2, 2, 4, 4]",
      "BatchNorm2d [2, 2, 4, 4]",
      "ReLU [2, 2, 4, 4]",
      "Flatten [2, 32]",
      "Linear [2, 3]",
      // The module used twice is watched once and seen at each use.
      "Linear [2, 3]",
      "Linear [2, 3]",
    ]);
  });

  it("runs in eval mode, keeps no tensor and leaves the forwards and the training mode as they were", async () => {
    const { model, bn } = net();
    model.train(true);
    const before = getBackend().memory().buffers;
    const mean = Array.from(await bn.runningMean.data());
    const modes: boolean[] = [];
    observeForward(model, [2, 1, 6, 6], (m) => (m === bn ? () => modes.push(m.training) : null));
    expect(modes).toEqual([false]);
    expect(Array.from(await bn.runningMean.data())).toEqual(mean);
    expect(getBackend().memory().buffers).toBe(before);
    expect(model.training).toBe(true);
    const patched = model.namedModules().filter(([, m]) => Object.hasOwn(m, "forward"));
    expect(patched).toEqual([]);
  });

  it("restores the model when a callback throws", () => {
    const { model } = net();
    model.train(true);
    const fail = (m: Module) =>
      m instanceof ReLU
        ? () => {
            throw new Error("callback failed");
          }
        : null;
    expect(() => observeForward(model, [1, 1, 6, 6], fail)).toThrow("callback failed");
    expect(model.training).toBe(true);
    expect(model.namedModules().filter(([, m]) => Object.hasOwn(m, "forward"))).toEqual([]);
  });
});
