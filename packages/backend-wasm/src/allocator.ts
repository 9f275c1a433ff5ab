/**
 * The allocator over the WebAssembly heap: blocks of 64-byte multiples, 64-byte aligned, taken first-fit
 * from free blocks kept in address order (the lowest free block that holds the request, split when larger),
 * and merged with free neighbours when freed, so that the large maps one phase of a training step frees
 * (forward's activations) serve the other sizes of the next (backward's gradients). With no fitting block a
 * request extends a free block that ends at the top of the heap, or else takes new space there, growing the
 * memory as needed up to its declared maximum. A training step asks for the same sizes in the same order every
 * time, so after the first steps the heap stops growing. The memory itself never shrinks (WebAssembly memory
 * cannot), so the top of the heap is its high-water mark.
 */
export interface Block {
  /** Byte offset in the WebAssembly memory, 64-byte aligned. */
  readonly ptr: number;
  /** Capacity in bytes. */
  readonly capacity: number;
}

const PAGE = 65536;
const ALIGN = 64;

interface Free {
  ptr: number;
  size: number;
}

export class Allocator {
  readonly #memory: WebAssembly.Memory;
  readonly #maxBytes: number;
  /** Free blocks in address order, no two adjacent. */
  readonly #free: Free[] = [];
  #top: number;

  constructor(memory: WebAssembly.Memory, start: number, maxBytes: number) {
    this.#memory = memory;
    this.#top = Math.ceil(start / ALIGN) * ALIGN;
    this.#maxBytes = maxBytes;
  }

  alloc(bytes: number): Block {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const fit = this.#free.findIndex((f) => f.size >= size);
    const f = this.#free[fit];
    if (f) {
      const ptr = f.ptr;
      if (f.size === size) this.#free.splice(fit, 1);
      else {
        f.ptr += size;
        f.size -= size;
      }
      return { ptr, capacity: size };
    }
    const last = this.#free.at(-1);
    const atTop = last !== undefined && last.ptr + last.size === this.#top;
    const ptr = atTop ? last.ptr : this.#top;
    const end = ptr + size;
    if (end > this.#maxBytes) {
      throw new Error(
        `wasm backend: out of memory: ${bytes} bytes requested with ${this.#top - this.freeBytes} of ` +
          `${this.#maxBytes} bytes in use (raise maxMemoryMiB, or use a smaller batch)`,
      );
    }
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / PAGE));
    if (atTop) this.#free.pop();
    this.#top = end;
    return { ptr, capacity: size };
  }

  free(block: Block): void {
    const list = this.#free;
    // The position of the first free block above this one (binary search on address).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.ptr < block.ptr) lo = mid + 1;
      else hi = mid;
    }
    const prev = list[lo - 1];
    const next = list[lo];
    const end = block.ptr + block.capacity;
    if (prev && prev.ptr + prev.size === block.ptr) {
      prev.size += block.capacity;
      if (next && next.ptr === end) {
        prev.size += next.size;
        list.splice(lo, 1);
      }
    } else if (next && next.ptr === end) {
      next.ptr = block.ptr;
      next.size += block.capacity;
    } else list.splice(lo, 0, { ptr: block.ptr, size: block.capacity });
  }

  /** Bytes handed out from the top of the heap so far, live or free now: the heap's high-water mark. */
  get heapBytes(): number {
    return this.#top;
  }

  /** Bytes in free blocks below the top of the heap. */
  get freeBytes(): number {
    return this.#free.reduce((sum, f) => sum + f.size, 0);
  }
}
