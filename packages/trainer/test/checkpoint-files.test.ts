import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BatchEndEvent, resolveConfig, Trainer } from "../src/index.js";
import { loadCheckpoint, loadModelWeights, saveCheckpoint, trainStatePath } from "../src/node.js";
import { tempDir, tinyModel, tinySplits } from "./tiny.js";

const RECIPE = resolveConfig({ epochs: 2, batchSize: 8, lr: 0.1, momentum: 0.9, seed: 2 });

describe("checkpoint files", () => {
  it("puts the training state beside the weights", () => {
    expect(trainStatePath("out/model.safetensors")).toBe("out/model.train.safetensors");
    expect(trainStatePath("out/model.bin")).toBe("out/model.bin.train.safetensors");
  });

  it("saves at a stop, loads, and resumes to the uninterrupted run's losses", async () => {
    const dir = tempDir();
    const path = join(dir, "model.safetensors");
    const losses = (t: Trainer) => {
      const out: number[] = [];
      t.on("batchEnd", (e: BatchEndEvent) => void out.push(e.loss));
      return out;
    };

    const straight = new Trainer(tinyModel(), tinySplits(), RECIPE, { yieldEvery: 0 });
    const expected = losses(straight);
    await straight.run();

    const first = new Trainer(tinyModel(), tinySplits(), RECIPE, { yieldEvery: 0 });
    const got = losses(first);
    first.on("batchEnd", (e) => {
      if (e.step === 6) first.stop();
    });
    await first.run();
    const saved = await saveCheckpoint(path, first.model, {
      config: first.config,
      optimizer: first.optimizer,
      progress: first.progress,
      metadata: { train_accuracy: 0.25 },
    });
    expect(saved).toMatchObject({ weightsPath: path, trainStatePath: join(dir, "model.train.safetensors") });
    expect(readdirSync(dir).sort()).toEqual(["model.safetensors", "model.train.safetensors"]);

    const checkpoint = await loadCheckpoint(path);
    expect(checkpoint.info).toMatchObject({ epoch: 1, step: 6, config: RECIPE, id: saved.id });
    expect(checkpoint.metadata.train_accuracy).toBe("0.25");
    const model = tinyModel(42);
    await loadModelWeights(model, path);
    const second = new Trainer(model, tinySplits(), checkpoint.info.config!, {
      yieldEvery: 0,
      resume: checkpoint.training!,
    });
    const rest = losses(second);
    await second.run();
    expect([...got, ...rest]).toEqual(expected);
    expect(got).toHaveLength(6);
    expect(model.stateDict()).toEqual(straight.model.stateDict());
  });

  it("replaces an old checkpoint and removes a stale training state when saving weights only", async () => {
    const dir = tempDir();
    const path = join(dir, "w.safetensors");
    const trainer = new Trainer(tinyModel(), tinySplits(), RECIPE);
    await saveCheckpoint(path, trainer.model, { optimizer: trainer.optimizer, progress: trainer.progress });
    expect(existsSync(trainStatePath(path))).toBe(true);
    const saved = await saveCheckpoint(path, tinyModel(3));
    expect(saved.trainStatePath).toBeNull();
    expect(readdirSync(dir)).toEqual(["w.safetensors"]);
    const checkpoint = await loadCheckpoint(path);
    expect(checkpoint.training).toBeNull();
    expect(checkpoint.stateDict).toEqual(tinyModel(3).stateDict());
  });

  it("names the keys that do not fit, and the file that is not safetensors", async () => {
    const dir = tempDir();
    const path = join(dir, "w.safetensors");
    await saveCheckpoint(path, tinyModel(1, 4));
    await expect(loadModelWeights(tinyModel(1, 3), path)).rejects.toThrow(
      "does not fit the model: mismatched shapes or dtypes (2): 5.weight (found float32 [4,4], expected float32 [3,4]), 5.bias (found float32 [4], expected float32 [3])",
    );
    writeFileSync(join(dir, "junk.safetensors"), "hello");
    await expect(loadModelWeights(tinyModel(), join(dir, "junk.safetensors"))).rejects.toThrow(
      "safetensors:",
    );
  });
});
