// Flag and path errors: each names the flag, the path or value, and what was expected, in one line, before
// any training starts; silent conversions of --image files are announced.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, jsonLines, tempDir, writeData, writeModel } from "./helpers.js";

const dir = tempDir();
let data: string;
let weights: string;

beforeAll(async () => {
  data = await writeData(join(dir, "data"));
  weights = await writeModel(join(dir, "weights.safetensors"));
});

/** Expects a failure whose one-line message matches, without a stack trace or a raw errno message. */
async function fails(args: string[], message: RegExp) {
  const r = await cli(...args);
  expect(r.code, args.join(" ")).not.toBe(0);
  expect(r.stderr, args.join(" ")).toMatch(message);
  expect(r.stderr, args.join(" ")).not.toMatch(/\n\s+at |^error: (ENOENT|EISDIR)/m);
  expect(r.stderr, args.join(" ")).not.toMatch(/^epoch 1/m);
  return r;
}

describe("flag and path errors", { timeout: 180_000 }, () => {
  it("names non-finite and out-of-range values as given", async () => {
    await fails(["train", "--lr", "Infinity"], /--lr: .*\(got Infinity\)/);
    await fails(["train", "--lr", "NaN"], /--lr: .*\(got "NaN"\)|--lr: .*\(got NaN\)/);
    await fails(
      ["train", "--batch-size", "1"],
      /--batch-size: must be at least 2: BatchNorm in training mode needs more than one value per channel \(got 1\)/,
    );
  });

  it("checks --out before training: an existing folder, or one that cannot be created", async () => {
    const folder = join(dir, "a-folder");
    mkdirSync(folder);
    await fails(
      ["train", "--data", data, "--out", folder],
      /--out: .*a-folder is a directory; expected the path of a \.safetensors file/,
    );
    writeFileSync(join(dir, "a-file"), "x");
    await fails(
      ["train", "--data", data, "--out", join(dir, "a-file", "x.safetensors")],
      /--out: cannot create the folder .*a-file/,
    );
  });

  it("names the flag and the path for a missing file or a folder given as a checkpoint", async () => {
    const missing = join(dir, "missing.safetensors");
    for (const flag of ["--init", "--resume"]) {
      await fails(
        ["train", "--data", data, flag, missing],
        new RegExp(`${flag}: .*missing\\.safetensors does not exist`),
      );
      await fails(
        ["train", "--data", data, flag, dir],
        new RegExp(`${flag}: the weights file .* is a directory, expected a \\.safetensors file`),
      );
    }
    await fails(
      ["eval", "--checkpoint", missing, "--data", data],
      /--checkpoint: .*missing\.safetensors does not exist/,
    );
    await fails(
      ["eval", "--checkpoint", dir, "--data", data],
      /--checkpoint: the weights file .* is a directory/,
    );
    await fails(
      ["predict", "--checkpoint", dir, "--data", data],
      /--checkpoint: the weights file .* is a directory/,
    );
  });

  it("says which file of the pair is bad, and when there is no training state to resume", async () => {
    await fails(
      ["train", "--data", data, "--resume", weights],
      /--resume: .*weights\.safetensors has no training state beside it \(.*weights\.train\.safetensors\); use --init/,
    );
    const bad = join(dir, "pair.safetensors");
    writeFileSync(bad, await import("node:fs").then((fs) => fs.readFileSync(weights)));
    writeFileSync(join(dir, "pair.train.safetensors"), "not safetensors");
    await fails(
      ["train", "--data", data, "--resume", bad],
      /--resume: the training state .*pair\.train\.safetensors \(beside .*pair\.safetensors\): safetensors: /,
    );
    writeFileSync(join(dir, "broken.safetensors"), Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    await fails(
      ["eval", "--checkpoint", join(dir, "broken.safetensors"), "--data", data],
      /--checkpoint: the weights file .*broken\.safetensors: safetensors: header length/,
    );
  });

  it("rejects files that are not PNGs in its own words, and announces colour and resize conversions", async () => {
    const text = join(dir, "text.png");
    writeFileSync(text, "hello");
    await fails(
      ["predict", "--checkpoint", weights, "--image", text],
      /--image: .*text\.png is not a PNG file: it starts with 68 65 6c 6c 6f, expected the PNG signature 89 50 4e 47/,
    );
    const png = new PNG({ width: 40, height: 30 });
    for (let i = 0; i < 40 * 30; i++) png.data.set([200, 40, 40, 255], 4 * i);
    const full = PNG.sync.write(png);
    const cut = join(dir, "cut.png");
    writeFileSync(cut, full.subarray(0, 60));
    await fails(
      ["predict", "--checkpoint", weights, "--image", cut],
      /--image: .*cut\.png is a damaged PNG file \(60 bytes that do not decode: truncated or corrupt\); expected a complete PNG image/,
    );
    const colour = join(dir, "colour.png");
    writeFileSync(colour, full);
    const r = await cli("--json", "predict", "--checkpoint", weights, "--image", colour);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /note: .*colour\.png: converted from colour to grey \(BT\.601 luma\), resized from 40x30 to 28x28 \(not square: stretched\)/,
    );
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ images: 1 });
  });
});
