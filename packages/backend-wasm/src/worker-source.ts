/**
 * The source of a kernel worker, as a string so that it runs unchanged from Node (`new Worker(src,
 * { eval: true })`) and from a browser (a Blob URL), with no file to resolve or bundle.
 *
 * Protocol: the first message carries the compiled module, the shared memory, the thread index, the
 * kernel names, the control block's offset and the status buffer. The worker instantiates the module
 * over the same memory, answers "ready", then loops: wait until the generation word changes, run kernel
 * `fn` on its share (tid of nt) of the arguments at `args`, count itself done and wake the caller.
 * Control words (Int32, in the wasm memory): 0 generation, 1 kernel index (-1: exit), 2 args, 3 nt,
 * 4 done count, 5 error flag, 6 workers expected.
 * A kernel that throws on a worker is recorded in the status buffer (see STATUS_SOURCE) with its message.
 */
import { STATUS_SOURCE } from "./status.js";

export const WORKER_SOURCE = `
${STATUS_SOURCE}
const node = typeof self === "undefined";
const port = node ? require("node:worker_threads").parentPort : self;
const listen = (f) => (node ? port.on("message", f) : (self.onmessage = (e) => f(e.data)));
listen((msg) => {
  const { module, memory, tid, ctrl, names, spin, status } = msg;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((n) => instance.exports[n]);
  const c = new Int32Array(memory.buffer, ctrl, 16);
  let gen = Atomics.load(c, 0);
  port.postMessage("ready");
  for (;;) {
    for (let i = 0; i < spin && Atomics.load(c, 0) === gen; i++);
    // Timed waits, re-checked: a missed wake-up costs at most a second instead of hanging.
    while (Atomics.load(c, 0) === gen) Atomics.wait(c, 0, gen, 1000);
    gen = Atomics.load(c, 0);
    const fn = c[1];
    if (fn < 0) break;
    try {
      fns[fn](tid, c[3], c[2]);
    } catch (e) {
      recordFailure(status, tid, THREW, String((e && e.message) || e));
      Atomics.store(c, 5, 1);
    }
    if (Atomics.add(c, 4, 1) + 1 === c[6]) Atomics.notify(c, 4);
  }
  if (node) port.close();
});
`;
