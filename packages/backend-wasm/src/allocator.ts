/**
 * A size-class allocator over the WebAssembly heap. Requests are rounded up to a class (multiples of
 * 64 bytes up to 1 KiB, then eight classes per power of two, so at most 12.5% waste); freed blocks go to
 * their class's free list and are handed out again for the next request of that class. Blocks are
 * never split or merged: a training step asks for the same sizes every time, so after the first step
 * the heap stops growing. New blocks come from a bump pointer; the memory grows as needed up to its
 * declared maximum.
 */
export interface Block {
  /** Byte offset in the WebAssembly memory, 64-byte aligned. */
  readonly ptr: number;
  /** Capacity in bytes (the size class). */
  readonly capacity: number;
}

const PAGE = 65536;

export function sizeClass(bytes: number): number {
  if (bytes <= 1024) return Math.max(64, Math.ceil(bytes / 64) * 64);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 3);
  return Math.ceil(bytes / step) * step;
}

export class Allocator {
  readonly #memory: WebAssembly.Memory;
  readonly #maxBytes: number;
  readonly #free = new Map<number, number[]>();
  #top: number;

  constructor(memory: WebAssembly.Memory, start: number, maxBytes: number) {
    this.#memory = memory;
    this.#top = Math.ceil(start / 64) * 64;
    this.#maxBytes = maxBytes;
  }

  alloc(bytes: number): Block {
    const capacity = sizeClass(bytes);
    const reused = this.#free.get(capacity)?.pop();
    if (reused !== undefined) return { ptr: reused, capacity };
    const ptr = this.#top;
    const end = ptr + capacity;
    if (end > this.#maxBytes) {
      throw new Error(
        `wasm backend: out of memory: ${bytes} bytes requested with ${this.#top} of ${this.#maxBytes} bytes in use ` +
          "(raise maxMemoryMiB, or use a smaller batch)",
      );
    }
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / PAGE));
    this.#top = end;
    return { ptr, capacity };
  }

  free(block: Block): void {
    let list = this.#free.get(block.capacity);
    if (!list) {
      list = [];
      this.#free.set(block.capacity, list);
    }
    list.push(block.ptr);
  }

  /** Bytes handed out from the top of the heap so far (live or on free lists). */
  get heapBytes(): number {
    return this.#top;
  }
}
