import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BatchNorm2d,
  checkStateDict,
  describeStateDictProblems,
  Linear,
  resnet18,
  Sequential,
  type StateDict,
  StateDictError,
} from "../src/index.js";

/** Byte equality of two typed arrays (vitest's deep equality is slow on millions of elements). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/d2l-resnet18-keys.json", import.meta.url), "utf8"),
) as {
  parameters: number;
  keys: { key: string; shape: number[]; dtype: string }[];
};

describe("stateDict", () => {
  const net = resnet18();
  const dict = net.stateDict();

  it("has exactly the seed's PyTorch keys, shapes and dtypes (127 entries)", () => {
    expect(fixture.keys).toHaveLength(127);
    expect(Object.keys(dict).sort()).toEqual(fixture.keys.map((k) => k.key).sort());
    for (const { key, shape, dtype } of fixture.keys) {
      expect(dict[key]!.shape, key).toEqual(shape);
      expect(dict[key]!.dtype, key).toBe(dtype === "int64" ? "int64" : "float32");
    }
    expect(net.numParameters()).toBe(fixture.parameters);
  });

  it("reads the same entries asynchronously (readStateDict), in the same order", async () => {
    const read = await net.readStateDict();
    expect(Object.keys(read)).toEqual(Object.keys(dict));
    for (const [key, entry] of Object.entries(dict)) {
      expect(read[key]!.dtype, key).toBe(entry.dtype);
      expect(read[key]!.shape, key).toEqual(entry.shape);
      expect(sameBytes(read[key]!.data, entry.data), key).toBe(true);
    }
  });

  it("round-trips through loadStateDict into a differently seeded net", () => {
    const other = resnet18({ seed: 99 });
    expect(sameBytes(other.stateDict()["0.0.weight"]!.data, dict["0.0.weight"]!.data)).toBe(false);
    const result = other.loadStateDict(dict);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const back = other.stateDict();
    const differing = Object.keys(dict).filter((key) => !sameBytes(back[key]!.data, dict[key]!.data));
    expect(differing).toEqual([]);
  });

  it("strict mode names missing and unexpected keys; non-strict returns them, as PyTorch's strict=False", () => {
    const small = new Sequential(new Linear(2, 3), new BatchNorm2d(3));
    const good = small.stateDict();
    const { "0.bias": _dropped, ...missing } = good;
    expect(() => small.loadStateDict(missing)).toThrow(
      "loadStateDict: the state dict does not fit the model: missing keys (1 of 7): 0.bias",
    );
    const extra: StateDict = {
      ...good,
      "9.weight": { dtype: "float32", shape: [1], data: new Float32Array(1) },
    };
    expect(() => small.loadStateDict(extra)).toThrow(/: unexpected keys \(1\): 9\.weight$/);
    expect(small.loadStateDict(missing, { strict: false })).toEqual({
      missingKeys: ["0.bias"],
      unexpectedKeys: [],
    });
    expect(small.loadStateDict(extra, { strict: false })).toEqual({
      missingKeys: [],
      unexpectedKeys: ["9.weight"],
    });
  });

  it("names every problem at once (key, found and expected dtype and shape) and changes nothing", () => {
    const small = new Sequential(new Linear(2, 3), new BatchNorm2d(3));
    const before = small.stateDict();
    const { "1.running_var": _dropped, ...bad } = structuredClone(before);
    bad["0.weight"] = { dtype: "float32", shape: [2, 3], data: new Float32Array(6) };
    bad["0.bias"] = { dtype: "float32", shape: [3], data: Float32Array.of(1, 2, 3) };
    bad["1.num_batches_tracked"] = { dtype: "float32", shape: [], data: Float32Array.of(4) };
    bad.extra = { dtype: "float32", shape: [1], data: new Float32Array(1) };
    let error: unknown;
    try {
      small.loadStateDict(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDictError);
    const e = error as StateDictError;
    expect(e.detail).toBe(
      "missing keys (1 of 7): 1.running_var; unexpected keys (1): extra; mismatched shapes or dtypes (2): " +
        "0.weight (found float32 [2,3], expected float32 [3,2]), " +
        "1.num_batches_tracked (found float32 [], expected int64 [])",
    );
    expect(e.keysDiffer).toBe(true);
    expect(e.mismatched.map((m) => m.key)).toEqual(["0.weight", "1.num_batches_tracked"]);
    // A shape or dtype that differs is an error without strict too, naming only that.
    expect(() => small.loadStateDict(bad, { strict: false })).toThrow(
      /does not fit the model: mismatched shapes or dtypes \(2\): 0\.weight/,
    );
    expect(small.stateDict()).toEqual(before);
  });

  it("shows a few names of each kind and how many there are in all", () => {
    const problems = checkStateDict(net.stateSpec(), { "fc.weight": dict["7.weight"]! });
    expect(problems.missingKeys).toHaveLength(127);
    expect(describeStateDictProblems(problems)).toBe(
      "missing keys (127 of 127): 0.0.weight, 0.0.bias, 0.1.weight, 0.1.bias, 0.1.running_mean, ...; " +
        "unexpected keys (1): fc.weight",
    );
  });

  it("keeps num_batches_tracked as an int64 scalar", () => {
    const bn = new BatchNorm2d(2);
    bn.numBatchesTracked = 5n;
    const d = bn.stateDict();
    expect(d.num_batches_tracked).toEqual({ dtype: "int64", shape: [], data: BigInt64Array.of(5n) });
    const fresh = new BatchNorm2d(2);
    fresh.loadStateDict(d);
    expect(fresh.numBatchesTracked).toBe(5n);
  });
});
