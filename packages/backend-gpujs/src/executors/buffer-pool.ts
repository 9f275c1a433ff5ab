/**
 * Recycles the array modes' large output buffers. A fresh multi-megabyte Float32Array costs its
 * page faults on first write (zero-filled pages), which on this machine kind made up a good part of a
 * webasm training step; a step allocates the same sizes every time, so a buffer whose last handle
 * (the array or any view of it) is released is kept for the next output of that length.
 */

/** Smaller buffers are not worth keeping (the allocator reuses them cheaply). */
const MIN_LENGTH = 1 << 16;
/** Most bytes kept at once. */
const MAX_BYTES = 512 * 2 ** 20;

export class BufferPool {
  #refs = new Map<ArrayBufferLike, number>();
  #free = new Map<number, Float32Array[]>();
  #bytes = 0;

  /** A buffer of `length` values (a recycled one holds stale values: the caller overwrites it). */
  take(length: number): Float32Array {
    const reused = this.#free.get(length)?.pop();
    if (!reused) return new Float32Array(length);
    this.#bytes -= length * 4;
    return reused;
  }

  /** Counts a handle (an array or a view) on its buffer. */
  hold(values: Float32Array): void {
    this.#refs.set(values.buffer, (this.#refs.get(values.buffer) ?? 0) + 1);
  }

  /** Uncounts a handle; the buffer is kept for reuse once no handle is left on it. */
  drop(values: Float32Array): void {
    const left = (this.#refs.get(values.buffer) ?? 1) - 1;
    if (left > 0) {
      this.#refs.set(values.buffer, left);
      return;
    }
    this.#refs.delete(values.buffer);
    const length = values.buffer.byteLength / 4;
    if (length < MIN_LENGTH || this.#bytes + length * 4 > MAX_BYTES) return;
    const list = this.#free.get(length) ?? [];
    list.push(new Float32Array(values.buffer as ArrayBuffer));
    this.#free.set(length, list);
    this.#bytes += length * 4;
  }

  clear(): void {
    this.#free.clear();
    this.#bytes = 0;
  }
}
