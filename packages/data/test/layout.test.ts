import { describe, expect, it } from "vitest";
import { detectLayout, interleaveClasses, stratifiedSplit } from "../src/index.js";

describe("detectLayout", () => {
  it("reads class folders, sorted by name, skipping files that are not images", () => {
    const layout = detectLayout(
      ["dog/b.PNG", "dog/a.jpg", "cat/x.webp", "cat/notes.txt", "README.md", ".DS_Store", "cat/.hidden.png"],
      "/d",
    );
    expect(layout).toEqual({
      kind: "image-folder",
      classes: ["cat", "dog"],
      train: [
        { path: "cat/x.webp", label: 0 },
        { path: "dog/a.jpg", label: 1 },
        { path: "dog/b.PNG", label: 1 },
      ],
      test: null,
      testFolder: null,
      skipped: ["cat/notes.txt", "README.md"],
    });
  });

  it("takes train/ + val/ (or test/) as the given split", () => {
    for (const name of ["val", "test"]) {
      const layout = detectLayout(["train/a/1.png", "train/b/2.png", `${name}/b/3.png`, "train/b/4.png"]);
      expect(layout).toMatchObject({
        kind: "image-folder",
        classes: ["a", "b"],
        train: [
          { path: "train/a/1.png", label: 0 },
          { path: "train/b/2.png", label: 1 },
          { path: "train/b/4.png", label: 1 },
        ],
        test: [{ path: `${name}/b/3.png`, label: 1 }],
        testFolder: name,
      });
    }
    expect(() => detectLayout(["train/a/1.png", "train/b/2.png", "val/c/3.png"], "/d")).toThrow(
      "/d/val/c: a class folder that /d/train/ does not have; expected the same classes as train/ (a, b)",
    );
  });

  it("recognises CIFAR-10 and IDX files, at the top or in one folder", () => {
    expect(
      detectLayout(["cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/test_batch.bin"]),
    ).toEqual({
      kind: "cifar10",
      prefix: "cifar-10-batches-bin/",
    });
    expect(detectLayout(["train-images-idx3-ubyte.gz", "x"])).toEqual({ kind: "idx", prefix: "" });
  });

  it("names the folder and what was expected for empty, single-class and image-less folders", () => {
    expect(() => detectLayout(["a/1.png", "b/"], "/d")).toThrow(
      "/d/b: an empty class folder; expected .png, .jpg, .jpeg, .webp files in it",
    );
    expect(() => detectLayout(["a/1.png", "a/2.png"], "/d")).toThrow(
      "/d: a single class folder (a); expected at least two class folders to tell apart",
    );
    expect(() => detectLayout(["a/1.txt", "notes.md"], "/d")).toThrow(
      "/d: no images found; expected class folders",
    );
    expect(() => detectLayout([], "/d")).toThrow("/d: no images found");
  });
});

describe("stratifiedSplit", () => {
  const samples = [...Array(30).keys()].map((i) => ({ path: `c${i % 3}/${i}.png`, label: i % 3 }));

  it("holds out round(n * fraction) of each class, seeded, keeping file order", () => {
    const a = stratifiedSplit(samples, 3, 0.2, 5);
    expect(a.test.length).toBe(6);
    for (let c = 0; c < 3; c++) expect(a.test.filter((s) => s.label === c).length).toBe(2);
    expect(a.train.length + a.test.length).toBe(30);
    expect(new Set([...a.train, ...a.test].map((s) => s.path)).size).toBe(30);
    expect(a.train.map((s) => Number(s.path.split("/")[1]!.split(".")[0]))).toEqual(
      [...a.train.map((s) => Number(s.path.split("/")[1]!.split(".")[0]))].sort((x, y) => x - y),
    );
    expect(stratifiedSplit(samples, 3, 0.2, 5)).toEqual(a);
    expect(stratifiedSplit(samples, 3, 0.2, 6).test).not.toEqual(a.test);
  });

  it("holds out at least one image of a class of two or more, none with fraction 0, and rejects bad fractions", () => {
    expect(stratifiedSplit(samples.slice(0, 6), 3, 0.01, 0).test.length).toBe(3);
    expect(stratifiedSplit(samples, 3, 0, 0).test).toEqual([]);
    expect(() => stratifiedSplit(samples, 3, 1, 0)).toThrow(
      "--val-fraction 1: expected a fraction from 0 up to (not including) 1",
    );
  });

  it("interleaves the classes round-robin", () => {
    const s = [0, 0, 0, 1, 2, 2].map((label, i) => ({ path: String(i), label }));
    expect(interleaveClasses(s, 3).map((x) => x.path)).toEqual(["0", "3", "4", "1", "5", "2"]);
  });
});
