// A checkpoint's `preprocessing` metadata, validated with PreprocessingSchema.
import { describe, expect, it } from "vitest";
import { parsePreprocessing, preprocessingOf } from "../src/index.js";
import { syntheticSplits } from "./helpers.js";

const good = preprocessingOf(syntheticSplits(), "dataset", { mean: [0.5], std: [0.25] });

describe("parsePreprocessing", () => {
  it("takes what preprocessingOf records, through JSON and back", () => {
    expect(good).toMatchObject({ layout: "idx", channels: 1, imageSize: 4, normalize: "dataset" });
    expect(parsePreprocessing(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(parsePreprocessing({ ...good, normalize: "none", normalization: null }).normalization).toBeNull();
  });

  it("names each bad field and what it expected", () => {
    const cases: [unknown, string | RegExp][] = [
      [null, /^meta: .*expected object, received null$/],
      [{ ...good, channels: 2 }, "meta: channels: 2, expected 1 or 3"],
      [{ ...good, classNames: "a,b" }, "meta: classNames: must be a list of names"],
      [{ ...good, imageSize: 0 }, /^meta: imageSize: .*>=1/],
      [{ ...good, imageSize: 2.5 }, /^meta: imageSize: .*expected int/],
      [{ ...good, normalize: "mine" }, /^meta: normalize: .*"none"\|"dataset"\|"imagenet"/],
      [{ ...good, layout: "folder" }, /^meta: layout: /],
      [
        { ...good, normalization: { mean: [0.5, 0.5], std: [0.2, 0.2] } },
        "meta: normalization: must be null or 1 means and stds",
      ],
      [{ ...good, normalization: undefined }, /^meta: normalization: /],
      [
        { ...good, channels: 3, imageSize: -1 },
        /^meta: imageSize: .*; normalization: must be null or 3 means and stds$/,
      ],
    ];
    for (const [value, message] of cases) expect(() => parsePreprocessing(value, "meta")).toThrow(message);
  });
});
