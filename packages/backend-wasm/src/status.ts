/**
 * The status buffer shared by the caller, the supervisor and the kernel workers: the first failure of a
 * worker thread (which thread, whether its kernel threw or the thread died, and its message), so that the
 * caller can throw an error naming the kernel, the thread and the message instead of waiting forever.
 * Layout (a SharedArrayBuffer of STATUS_BYTES): Int32 words 0 thread index (0: no failure),
 * 1 kind (THREW, DIED), 2 message length in bytes, 3 the writers' lock; the UTF-8 message from byte MESSAGE_OFFSET.
 * STATUS_SOURCE is the same writer as plain JavaScript, for the worker and supervisor sources.
 */
export const STATUS_BYTES = 4096;
export const THREW = 1;
export const DIED = 2;
const MESSAGE_OFFSET = 64;

/** A failure recorded in the status buffer. */
export interface ThreadFailure {
  tid: number;
  kind: typeof THREW | typeof DIED;
  message: string;
}

export function createStatus(): SharedArrayBuffer {
  return new SharedArrayBuffer(STATUS_BYTES);
}

/** The recorded failure, or null. The message is copied out of shared memory before decoding. */
export function readFailure(status: SharedArrayBuffer): ThreadFailure | null {
  const words = new Int32Array(status, 0, 3);
  const tid = Atomics.load(words, 0);
  const kind = Atomics.load(words, 1);
  if (tid === 0 || (kind !== THREW && kind !== DIED)) return null;
  const bytes = new Uint8Array(status, MESSAGE_OFFSET, Atomics.load(words, 2)).slice();
  return { tid, kind, message: new TextDecoder().decode(bytes) };
}

/** Forgets a THREW record (the threads are all still there); a DIED record stays. */
export function clearThrew(status: SharedArrayBuffer): void {
  const words = new Int32Array(status, 0, 3);
  if (Atomics.load(words, 1) === THREW) {
    Atomics.store(words, 1, 0);
    Atomics.store(words, 0, 0);
  }
}

/** `recordFailure(status, tid, kind, message)`: keeps the first failure only; a death replaces a throw. */
export const STATUS_SOURCE = `
const THREW = ${THREW}, DIED = ${DIED};
function recordFailure(status, tid, kind, message) {
  const words = new Int32Array(status, 0, 4);
  while (Atomics.compareExchange(words, 3, 0, 1) !== 0); // word 3: a writers' lock
  const had = Atomics.load(words, 1);
  if (had !== DIED && !(had === THREW && kind === THREW)) {
    const text = new TextEncoder().encode(message).subarray(0, ${STATUS_BYTES - MESSAGE_OFFSET});
    new Uint8Array(status, ${MESSAGE_OFFSET}, text.length).set(text);
    Atomics.store(words, 2, text.length);
    Atomics.store(words, 0, tid);
    Atomics.store(words, 1, kind);
  }
  Atomics.store(words, 3, 0);
}
`;
