/**
 * The source of a kernel worker, as a string so that it runs unchanged from Node (`new Worker(src,
 * { eval: true })`) and from a browser (a Blob URL), with no file to resolve or bundle.
 *
 * Protocol: the first message carries the compiled module, the shared memory, the thread index, the
 * kernel names, the control block's offset and the status buffer. The worker instantiates the module
 * over the same memory, answers "ready", then loops: wait until the generation word changes, run kernel
 * `fn` on its share (tid of nt) of the arguments at `args`, count itself done and wake the caller.
 * The control words (Int32, in the wasm memory) are CONTROL's (kernel-abi.json).
 * A kernel that throws on a worker is recorded in the status buffer (see STATUS_SOURCE) with its message.
 */
import { CONTROL, CONTROL_WORDS } from "./generated/abi.js";
import { STATUS_SOURCE } from "./status.js";

const { generation, kernel, args, threads, done, error, workers } = CONTROL;

export const WORKER_SOURCE = `
${STATUS_SOURCE}
const node = typeof self === "undefined";
const port = node ? require("node:worker_threads").parentPort : self;
const listen = (f) => (node ? port.on("message", f) : (self.onmessage = (e) => f(e.data)));
listen((msg) => {
  const { module, memory, tid, ctrl, names, spin, status } = msg;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((n) => instance.exports[n]);
  const c = new Int32Array(memory.buffer, ctrl, ${CONTROL_WORDS});
  let gen = Atomics.load(c, ${generation});
  port.postMessage("ready");
  for (;;) {
    for (let i = 0; i < spin && Atomics.load(c, ${generation}) === gen; i++);
    // Timed waits, re-checked: a missed wake-up costs at most a second instead of hanging.
    while (Atomics.load(c, ${generation}) === gen) Atomics.wait(c, ${generation}, gen, 1000);
    gen = Atomics.load(c, ${generation});
    const fn = c[${kernel}];
    if (fn < 0) break;
    try {
      fns[fn](tid, c[${threads}], c[${args}]);
    } catch (e) {
      recordFailure(status, tid, THREW, String((e && e.message) || e));
      Atomics.store(c, ${error}, 1);
    }
    if (Atomics.add(c, ${done}, 1) + 1 === c[${workers}]) Atomics.notify(c, ${done});
  }
  if (node) port.close();
});
`;
