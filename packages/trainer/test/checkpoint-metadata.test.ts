// The training state's metadata and the weights' counts are validated with zod when a checkpoint is decoded.
import { describe, expect, it } from "vitest";
import {
  CheckpointPartError,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  encodeSafetensors,
  resolveConfig,
  SGD,
  Trainer,
} from "../src/index.js";
import { tinyModel, tinySplits } from "./tiny.js";

function pair(): ReturnType<typeof encodeCheckpoint> {
  const model = tinyModel();
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const progress = new Trainer(model, tinySplits(), resolveConfig({ batchSize: 8 })).progress;
  return encodeCheckpoint(model, { optimizer, progress });
}

/** `bytes` (a safetensors file) with its metadata changed by `edit`. */
function withMetadata(bytes: Uint8Array, edit: (m: Record<string, string>) => void): Uint8Array {
  const file = decodeSafetensors(bytes);
  const metadata = { ...file.metadata };
  edit(metadata);
  return encodeSafetensors(file.tensors, metadata);
}

/** The message decodeCheckpoint throws, and which file it blames. */
function failure(weights: Uint8Array, trainState: Uint8Array | null): { part: string; message: string } {
  try {
    decodeCheckpoint(weights, trainState);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointPartError);
    const e = error as CheckpointPartError;
    return { part: e.part, message: e.message };
  }
  throw new Error("decodeCheckpoint accepted it");
}

const json = (m: Record<string, string>, key: string) => JSON.parse(m[key]!) as Record<string, unknown>;

describe("checkpoint metadata validation", () => {
  it("accepts what encodeCheckpoint writes", async () => {
    const { weights, trainState } = await pair();
    expect(decodeCheckpoint(weights, trainState).training?.optimizer.hyperparameters).toMatchObject({
      lr: 0.1,
      momentum: 0.9,
    });
  });

  it("names the bad fields of the training state's progress and optimizer", async () => {
    const { weights, trainState } = await pair();
    const cases: [(m: Record<string, string>) => void, string | RegExp][] = [
      [
        (m) => {
          m.progress = JSON.stringify({ ...json(m, "progress"), globalStep: "3", epochsDone: -1 });
        },
        /^checkpoint: metadata progress: epochsDone: .*>=0.*; globalStep: .*expected number, received string$/,
      ],
      [
        (m) => {
          m.progress = JSON.stringify({ ...json(m, "progress"), shuffleSeed: undefined });
        },
        /^checkpoint: metadata progress: shuffleSeed: .*expected number, received undefined$/,
      ],
      [
        (m) => {
          const o = json(m, "optimizer");
          m.optimizer = JSON.stringify({
            ...o,
            parameters: "all",
            hyperparameters: { ...(o.hyperparameters as object), nesterov: "no" },
          });
        },
        /^checkpoint: metadata optimizer: hyperparameters\.nesterov: .*expected boolean.*; parameters: .*expected array/,
      ],
      [
        (m) => {
          delete m.progress;
        },
        "checkpoint: the metadata has no progress",
      ],
    ];
    for (const [edit, message] of cases) {
      const bad = failure(weights, withMetadata(trainState!, edit));
      expect(bad.part).toBe("trainState");
      expect(bad.message).toMatch(message);
    }
  });

  it("refuses weights whose epoch or step is not a count", async () => {
    const { weights } = await pair();
    for (const value of ["1.5", "-1", "", "1e3", "99999999999999999999"]) {
      const bad = failure(
        withMetadata(weights, (m) => {
          m.step = value;
        }),
        null,
      );
      expect(bad).toEqual({
        part: "weights",
        message: `checkpoint: metadata step is ${JSON.stringify(value)}, expected a count`,
      });
    }
    const ok = withMetadata(weights, (m) => {
      m.epoch = "12";
    });
    expect(decodeCheckpoint(ok).info.epoch).toBe(12);
  });
});
