// Data validation: bad labels are found when the data loads (naming the file and the index), a last batch
// of one example is left out (once said), messages give the data's real image size, and eval/predict check
// a checkpoint's head against the data's classes and warn about non-finite weights.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, jsonLines, tempDir, writeData, writeModel } from "./helpers.js";

const dir = tempDir();
let data: string;

beforeAll(async () => {
  data = await writeData(join(dir, "data"), { size: 12, train: 33, test: 8 });
});

describe("data validation", { timeout: 180_000 }, () => {
  it("checks every label when the data loads, naming the file and the index", async () => {
    const badTest = await writeData(join(dir, "bad-test"), { badTest: 5 });
    const badTrain = await writeData(join(dir, "bad-train"), { badTrain: 17 });
    for (const [args, message] of [
      [
        ["train", "--data", badTest],
        /t10k-labels-idx1-ubyte: label 200 at example 5, expected a class index below 10/,
      ],
      [
        ["train", "--data", badTrain],
        /train-labels-idx1-ubyte: label 200 at example 17, expected a class index below 10/,
      ],
      [
        ["predict", "--checkpoint", await writeModel(join(dir, "w.safetensors")), "--data", badTest],
        /t10k-labels-idx1-ubyte: label 200 at example 5/,
      ],
    ] as const) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^epoch 1|undefined/m);
    }
  });

  it("leaves out a last batch of one (saying so once), and gives the data's own image size", async () => {
    const out = join(dir, "run.safetensors");
    // 33 examples in batches of 8: 4 batches of 8, and the 33rd example left out.
    const r = await cli(
      "--json",
      "train",
      "--data",
      data,
      "--batch-size",
      "8",
      "--test-limit",
      "8",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("33 images/epoch at 12x12");
    expect(r.stderr.match(/leave a last batch of one; it is left out of each epoch/g)).toHaveLength(1);
    const final = jsonLines(r.stdout).at(-1)!;
    expect(final).toMatchObject({ epoch: 1, steps: 4, reason: "completed", checkpoint: out });
    // eval finds the data the checkpoint recorded without --data, at 12x12.
    const e = await cli("--json", "eval", "--checkpoint", out, "--test-limit", "8");
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/on 8 test images at 12x12/);
    expect(jsonLines(e.stdout)[0]!.accuracy).toBeCloseTo(final.testAccuracy as number, 6);
  });

  it("checks the checkpoint's head against the data's classes, naming the bad key and both shapes", async () => {
    const twenty = await writeModel(join(dir, "twenty.safetensors"), { classes: 20 });
    for (const command of ["eval", "predict"]) {
      const r = await cli(command, "--checkpoint", twenty, "--data", data);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /--checkpoint: .*twenty\.safetensors has a 20-class head \(7\.weight \[20,512\]\), the data .*has 10 classes \(expected 7\.weight \[10,512\]\)/,
      );
    }
    const transposed = await writeModel(join(dir, "transposed.safetensors"), {
      edit: (dict) => {
        dict["7.weight"] = { ...dict["7.weight"]!, shape: [512, 10] };
      },
    });
    const t = await cli("eval", "--checkpoint", transposed, "--data", data);
    expect(t.code).not.toBe(0);
    expect(t.stderr).toMatch(
      /mismatched shapes or dtypes \(1\): 7\.weight \(found float32 \[512,10\], expected float32 \[10,512\]\)/,
    );
    expect(t.stderr).not.toMatch(/7\.bias|\[512,512\]/);
  });

  it("warns about non-finite weights, and eval exits non-zero when the loss is not finite", async () => {
    const nan = await writeModel(join(dir, "nan.safetensors"), {
      edit: (dict) => {
        (dict["0.0.weight"]!.data as Float32Array)[0] = Number.NaN;
      },
    });
    const r = await cli("--json", "eval", "--checkpoint", nan, "--data", data);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /warning: .*nan\.safetensors has 1 non-finite weights \(NaN or infinite, first in 0\.0\.weight\)/,
    );
    expect(r.stderr).toMatch(/error: eval: the loss is NaN: .*nan\.safetensors has 1 non-finite weights/);
    expect(jsonLines(r.stdout)[0]!.loss).toBeNull();
  });
});
