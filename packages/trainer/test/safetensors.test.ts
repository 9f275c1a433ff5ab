import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "../src/index.js";
import { hasPython, runPython } from "./python.js";

const f32 = (shape: number[], values: number[]) => ({
  dtype: "float32" as const,
  shape,
  data: Float32Array.from(values),
});

/** A file from a header (object or raw text) and a byte buffer. */
function raw(header: unknown, buffer: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

const decodeError = (bytes: Uint8Array) => {
  try {
    decodeSafetensors(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(SafetensorsError);
    return (error as Error).message;
  }
  throw new Error("expected decodeSafetensors to throw");
};

describe("safetensors", () => {
  it("round-trips F32 and I64 tensors, scalars, empty tensors and metadata", () => {
    const tensors = {
      "0.weight": f32([2, 3], [1, 2, 3, 4, 5, 6.5]),
      "0.num_batches_tracked": { dtype: "int64" as const, shape: [], data: BigInt64Array.of(-7n) },
      empty: f32([0, 4], []),
      "a.bias": f32([1], [Math.PI]),
    };
    const bytes = encodeSafetensors(tensors, { format: "test", note: "ünïcode" });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const file = decodeSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(Object.keys(tensors));
    expect(file.tensors).toEqual(tensors);
    expect(file.metadata).toEqual({ format: "test", note: "ünïcode" });
    // Decoded arrays are copies: unaligned offsets and later writes to the input do not matter.
    bytes.fill(0);
    expect(Array.from(file.tensors["0.weight"]!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6.5]);
  });

  it("encodes the layout of the format", () => {
    const bytes = encodeSafetensors({ b: f32([1], [1]), a: f32([2], [2, 3]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      b: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
      a: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
    });
    expect(Array.from(new Float32Array(bytes.slice(8 + n).buffer))).toEqual([1, 2, 3]);
  });

  it("accepts any key order, data order and header padding", () => {
    const data = new Uint8Array(new Float32Array([9, 1, 2]).buffer);
    const header = `{"__metadata__":{"k":"v"},"z":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"y":{"shape":[],"data_offsets":[0,4],"dtype":"F32"}}   `;
    const file = decodeSafetensors(raw(header, data));
    expect(file.tensors.y).toEqual(f32([], [9]));
    expect(file.tensors.z).toEqual(f32([2], [1, 2]));
    expect(file.metadata).toEqual({ k: "v" });
  });

  it("rejects each kind of malformed file with a clear error", () => {
    const four = new Uint8Array(4);
    const entry = (dtype: unknown, shape: unknown, offsets: unknown) => ({
      dtype,
      shape,
      data_offsets: offsets,
    });
    expect(decodeError(new Uint8Array(5))).toBe(
      "safetensors: the file has 5 bytes; it must start with an 8-byte header length",
    );
    const tooLong = raw("{}");
    new DataView(tooLong.buffer).setBigUint64(0, 1000n, true);
    expect(decodeError(tooLong)).toBe(
      "safetensors: header length 1000 exceeds the 2 bytes after the length field",
    );
    new DataView(tooLong.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(decodeError(tooLong)).toContain("limit");
    const badUtf8 = raw("{}");
    badUtf8[8] = 0xff;
    expect(decodeError(badUtf8)).toBe("safetensors: the header is not valid UTF-8");
    expect(decodeError(raw("{not json"))).toContain("safetensors: the header is not valid JSON");
    expect(decodeError(raw("[]"))).toBe("safetensors: the header must be a JSON object");
    expect(decodeError(raw({ __metadata__: { a: 1 } }))).toBe(
      "safetensors: '__metadata__.a' must be a string, got number",
    );
    expect(decodeError(raw({ x: 3 }))).toBe("safetensors: tensor 'x': its entry must be an object");
    expect(decodeError(raw({ x: entry("F16", [2], [0, 4]) }, four))).toBe(
      "safetensors: tensor 'x': unsupported dtype \"F16\" (this reader takes F32, I64)",
    );
    expect(decodeError(raw({ x: entry("F32", [-1], [0, 4]) }, four))).toContain(
      "shape must be an array of integers >= 0",
    );
    expect(decodeError(raw({ x: entry("F32", [1], [4, 0]) }, four))).toContain(
      "data_offsets must be [begin, end] with 0 <= begin <= end, got [4,0]",
    );
    expect(decodeError(raw({ x: entry("F32", [2], [0, 4]) }, four))).toBe(
      "safetensors: tensor 'x': shape [2] of F32 needs 8 bytes but data_offsets [0, 4] hold 4",
    );
    expect(decodeError(raw({ x: entry("I64", [1], [0, 4]) }, four))).toContain("needs 8 bytes");
    expect(
      decodeError(raw({ x: entry("F32", [1], [0, 4]), y: entry("F32", [1], [2, 6]) }, new Uint8Array(6))),
    ).toBe("safetensors: tensor 'y' data [2, 6) overlaps the previous tensor's data (ending at 4)");
    expect(decodeError(raw({ x: entry("F32", [1], [4, 8]) }, new Uint8Array(8)))).toBe(
      "safetensors: the byte buffer has a gap at [0, 4) before tensor 'x'",
    );
    expect(decodeError(raw({ x: entry("F32", [2], [0, 8]) }, four))).toBe(
      "safetensors: tensor 'x' data [0, 8) is out of range: the byte buffer has 4 bytes",
    );
    expect(decodeError(raw({ x: entry("F32", [1], [0, 4]) }, new Uint8Array(12)))).toBe(
      "safetensors: the byte buffer has 12 bytes but the tensors cover only 4",
    );
  });

  it("rejects tensors it cannot encode", () => {
    expect(() => encodeSafetensors({ x: f32([3], [1, 2]) })).toThrow("tensor 'x' has shape [3] but 2 values");
    expect(() => encodeSafetensors({ x: { dtype: "int64", shape: [1], data: new Float32Array(1) } })).toThrow(
      "tensor 'x' is int64 but its data is a Float32Array",
    );
    expect(() => encodeSafetensors({ __metadata__: f32([1], [1]) })).toThrow(
      "'__metadata__' cannot name a tensor",
    );
    expect(() => encodeSafetensors({}, { a: 1 as unknown as string })).toThrow(
      "metadata 'a' must be a string",
    );
  });

  it.skipIf(!hasPython())("decodes a file written by Python (other key order, padded header)", () => {
    const bytes = runPython(`
import json, struct, sys
data = struct.pack('<3f', 1.5, -2.0, 3.25) + struct.pack('<q', 42)
header = {"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
          "__metadata__": {"source": "python"},
          "n": {"dtype": "I64", "shape": [], "data_offsets": [12, 20]}}
text = json.dumps(header, sort_keys=True).encode()
text += b" " * (16 - len(text) % 16)
sys.stdout.buffer.write(struct.pack('<Q', len(text)) + text + data)
`);
    const file = decodeSafetensors(bytes);
    expect(file.tensors.w).toEqual(f32([3], [1.5, -2, 3.25]));
    expect(file.tensors.n).toEqual({ dtype: "int64", shape: [], data: BigInt64Array.of(42n) });
    expect(file.metadata).toEqual({ source: "python" });
  });
});
