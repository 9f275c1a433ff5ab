/** The heap allocator: first fit in address order, splitting, merging freed neighbours, growth and its limit. */
import { describe, expect, it } from "vitest";
import { Allocator, type Block } from "../src/allocator.js";

const KiB = 1024;
const heap = (maxPages = 64) => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages });
  return { memory, allocator: new Allocator(memory, 100, maxPages * 65536) };
};

describe("Allocator", () => {
  it("aligns blocks to 64 bytes from the start it is given, rounding sizes up", () => {
    const { allocator } = heap();
    const a = allocator.alloc(1);
    const b = allocator.alloc(65);
    expect(a).toEqual({ ptr: 128, capacity: 64 });
    expect(b).toEqual({ ptr: 192, capacity: 128 });
    expect(allocator.heapBytes).toBe(320);
  });

  it("gives a freed block's space to the next request that fits, splitting off the rest", () => {
    const { allocator } = heap();
    const big = allocator.alloc(64 * KiB);
    const after = allocator.alloc(KiB);
    allocator.free(big);
    const small = allocator.alloc(16 * KiB);
    const rest = allocator.alloc(48 * KiB);
    expect(small.ptr).toBe(big.ptr);
    expect(rest.ptr).toBe(big.ptr + 16 * KiB);
    expect(allocator.heapBytes).toBe(after.ptr + KiB);
    expect(allocator.freeBytes).toBe(0);
  });

  it("merges freed neighbours, in any order, into one block that a larger request reuses", () => {
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [0, 2, 1],
    ]) {
      const { allocator } = heap();
      const blocks: Block[] = [0, 1, 2].map(() => allocator.alloc(8 * KiB));
      const guard = allocator.alloc(64);
      for (const i of order) allocator.free(blocks[i]!);
      expect(allocator.freeBytes).toBe(24 * KiB);
      const whole = allocator.alloc(24 * KiB);
      expect(whole.ptr).toBe(blocks[0]!.ptr);
      expect(allocator.heapBytes).toBe(guard.ptr + 64);
    }
  });

  it("takes the lowest free block that fits, and extends a free block at the top instead of skipping it", () => {
    const { allocator } = heap();
    const [a, , c, , e] = [4, 1, 8, 1, 4].map((k) => allocator.alloc(k * KiB));
    allocator.free(a!);
    allocator.free(c!);
    expect(allocator.alloc(2 * KiB).ptr).toBe(a!.ptr);
    expect(allocator.alloc(6 * KiB).ptr).toBe(c!.ptr);
    allocator.free(e!);
    const top = allocator.heapBytes;
    const grown = allocator.alloc(10 * KiB);
    expect(grown.ptr).toBe(e!.ptr);
    expect(allocator.heapBytes).toBe(top + 6 * KiB);
  });

  it("grows the memory as needed and names the request and the limit when it runs out", () => {
    const { memory, allocator } = heap(4);
    allocator.alloc(150 * KiB);
    expect(memory.buffer.byteLength).toBe(3 * 65536);
    expect(() => allocator.alloc(200 * KiB)).toThrow(
      /out of memory: 204800 bytes requested with 153728 of 262144 bytes in use/,
    );
  });

  it("stays flat over repeated rounds of the same requests", () => {
    const { allocator } = heap(256);
    const sizes = [96, 33, 7, 96, 12, 48, 5, 64].map((k) => k * KiB);
    const round = () => {
      const live = sizes.map((s) => allocator.alloc(s));
      // Free in an order unlike the allocation's: every other block, then the rest backwards.
      for (let i = 0; i < live.length; i += 2) allocator.free(live[i]!);
      for (let i = live.length - 1 - (live.length % 2); i > 0; i -= 2) allocator.free(live[i]!);
    };
    round();
    const high = allocator.heapBytes;
    for (let i = 0; i < 5; i++) round();
    expect(allocator.heapBytes).toBe(high);
    expect(allocator.freeBytes).toBe(high - 128);
  });
});
