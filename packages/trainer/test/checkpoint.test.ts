import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resnet18, type StateDict } from "@resnet-ts/layers";
import { noGrad, Rng, rand, type Tensor } from "@resnet-ts/tensor";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  encodeSafetensors,
  loadWeightsFromBytes,
  resolveConfig,
  SGD,
  Trainer,
} from "../src/index.js";
import { hasTorch, runPython } from "./python.js";
import { tempDir, tinyModel, tinySplits } from "./tiny.js";

describe("checkpoint encoding", () => {
  it("holds exactly the model's state dict, with run metadata, and pairs with the training state", async () => {
    const model = tinyModel();
    const config = resolveConfig({ batchSize: 8, momentum: 0.9, eval: false, steps: 3 });
    const trainer = new Trainer(model, tinySplits(), config, { yieldEvery: 0 });
    await trainer.run();
    const { progress } = trainer.state();
    const encoded = await encodeCheckpoint(model, {
      config,
      optimizer: trainer.optimizer,
      progress,
      metadata: { test_accuracy: 0.5 },
      date: new Date("2024-01-02T03:04:05Z"),
    });
    const weights = decodeSafetensors(encoded.weights);
    expect(weights.tensors).toEqual(model.stateDict());
    expect(weights.tensors["1.num_batches_tracked"]).toEqual({
      dtype: "int64",
      shape: [],
      data: BigInt64Array.of(3n),
    });
    expect(weights.metadata).toMatchObject({
      format: CHECKPOINT_FORMAT,
      checkpoint_id: encoded.id,
      date: "2024-01-02T03:04:05.000Z",
      epoch: "0",
      step: "3",
      test_accuracy: "0.5",
    });

    const checkpoint = decodeCheckpoint(encoded.weights, encoded.trainState);
    expect(checkpoint.info).toMatchObject({ id: encoded.id, epoch: 0, step: 3, config });
    expect(checkpoint.training?.progress).toEqual(progress);
    const state = trainer.optimizer.stateDict();
    expect(checkpoint.training?.optimizer).toEqual(state);
    expect(state.momentumBuffers.every((b) => b !== null)).toBe(true);
  });

  it("refuses a training state written with other weights, and other formats", async () => {
    const model = tinyModel();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const progress = new Trainer(model, tinySplits(), resolveConfig({ batchSize: 8 })).progress;
    const a = await encodeCheckpoint(model, { optimizer, progress });
    const b = await encodeCheckpoint(model, { optimizer, progress });
    expect(() => decodeCheckpoint(a.weights, b.trainState)).toThrow(
      `checkpoint: the training state (checkpoint_id ${b.id}) was not written with these weights (checkpoint_id ${a.id})`,
    );
    expect(() => decodeCheckpoint(a.weights, a.weights)).toThrow("the training state has format");
    const future = encodeSafetensors({}, { format: "resnet-ts.weights/2" });
    expect(() => decodeCheckpoint(future)).toThrow("the weights have format resnet-ts.weights/2");
  });

  it("names missing, unexpected and mis-shaped keys", () => {
    const dict = tinyModel().stateDict();
    const { "0.bias": _bias, ...missing } = dict;
    const extra = { ...dict, "9.weight": dict["0.bias"]! };
    const misshaped = {
      ...dict,
      "5.weight": { dtype: "float32" as const, shape: [4, 3], data: new Float32Array(12) },
    };
    const model = tinyModel(2);
    const bytes = (dict: StateDict) => encodeSafetensors(dict);
    expect(() => loadWeightsFromBytes(model, bytes(missing))).toThrow(
      "loadStateDict: the state dict does not fit the model: missing keys (1 of 9): 0.bias",
    );
    expect(() => loadWeightsFromBytes(model, bytes(extra))).toThrow("unexpected keys (1): 9.weight");
    expect(() => loadWeightsFromBytes(model, bytes(misshaped))).toThrow(
      "mismatched shapes or dtypes (1): 5.weight (found float32 [4,3], expected float32 [3,4])",
    );
    expect(loadWeightsFromBytes(model, bytes(extra), { strict: false }).unexpectedKeys).toEqual(["9.weight"]);
    expect(() => loadWeightsFromBytes(model, bytes(misshaped), { strict: false })).toThrow("5.weight");
    // Nothing was loaded by the failing calls; the non-strict one loaded everything it knew.
    expect(model.stateDict()).toEqual(dict);
  });

  it("loads weights from bytes into a fresh model", async () => {
    const source = tinyModel(5);
    const target = tinyModel(6);
    const { info } = loadWeightsFromBytes(target, (await encodeCheckpoint(source)).weights);
    expect(info.format).toBe(CHECKPOINT_FORMAT);
    expect(target.stateDict()).toEqual(source.stateDict());
  });
});

describe.skipIf(!hasTorch())("PyTorch interop (d2l ResNet-18, load_state_dict(strict=True))", () => {
  // One model and one Python run serve both directions (building ResNet-18 and importing torch take seconds).
  const model = resnet18({ seed: 3 });
  const x = rand([2, 1, 28, 28], new Rng(4));
  let dir = "";
  let torchOutputs: { load: number[]; export: number[] };
  let jsOutput: Float32Array;

  const evalOutput = (): Float32Array =>
    noGrad(() => {
      model.eval();
      const y: Tensor = model.call(x);
      const out = y.dataSync().slice();
      y.dispose();
      return out;
    });
  const expectSameOutputs = (js: Float32Array, torch: number[]) => {
    expect(torch).toHaveLength(20);
    const scale = Math.max(...torch.map(Math.abs));
    torch.forEach((v, i) => {
      expect(Math.abs(js[i]! - v)).toBeLessThan(1e-4 * Math.max(1, scale));
    });
  };

  beforeAll(async () => {
    dir = tempDir();
    // One training-mode forward so that the running statistics and num_batches_tracked are not defaults.
    noGrad(() => model.call(rand([4, 1, 28, 28], new Rng(9))).dispose());
    jsOutput = evalOutput();
    const js = await encodeCheckpoint(model, { config: resolveConfig() });
    writeFileSync(join(dir, "js.safetensors"), js.weights);
    writeFileSync(
      join(dir, "input.safetensors"),
      encodeSafetensors({ x: { dtype: "float32", shape: [2, 1, 28, 28], data: x.dataSync() } }),
    );
    const script = readFileSync(join(import.meta.dirname, "torch_interop.py"), "utf8");
    const stdout = runPython(
      script,
      ["js", "input", "torch"].map((name) => join(dir, `${name}.safetensors`)),
    );
    torchOutputs = JSON.parse(new TextDecoder().decode(stdout));
  });

  it("PyTorch loads a checkpoint written here and computes the same outputs", () => {
    expectSameOutputs(jsOutput, torchOutputs.load);
  });

  it("loads a state dict PyTorch wrote (other key order, data order and padding) with strict keys", () => {
    const bytes = new Uint8Array(readFileSync(join(dir, "torch.safetensors")));
    const { info } = loadWeightsFromBytes(model, bytes, { strict: true });
    expect(info).toMatchObject({ format: "pt", config: null });
    expect(Object.keys(model.stateDict())).toHaveLength(127);
    expect(model.stateDict()["0.1.num_batches_tracked"]!.data[0]).toBe(2n);
    expectSameOutputs(evalOutput(), torchOutputs.export);
  });
});
