/**
 * The source of the supervisor thread, which starts the kernel workers and watches them. The caller
 * blocks on Atomics.wait while a kernel runs, so it cannot receive a worker's `error` or `exit` event;
 * the supervisor's event loop stays free and does: when a worker dies it records the death in the
 * status buffer (see status.ts) and wakes the caller, which then throws instead of waiting forever.
 *
 * Messages from the caller: first { workerSource, count, init } (init: the kernel worker's first message
 * without `tid`); the supervisor answers "ready" once every worker is, or { error } if one failed to
 * start. Later, { kill: tid, afterMs } terminates that worker after a delay: fault injection for tests.
 */
import { CONTROL, CONTROL_WORDS } from "./generated/abi.js";
import { STATUS_SOURCE } from "./status.js";

export const SUPERVISOR_SOURCE = `
${STATUS_SOURCE}
const node = typeof self === "undefined";
const threads = node ? require("node:worker_threads") : null;
const port = node ? threads.parentPort : self;
const listen = (f) => (node ? port.on("message", f) : (self.onmessage = (e) => f(e.data)));
const workers = [];
let ctrl = null;
let status = null;
function died(tid, message) {
  // A kernel index < 0 means the caller is shutting the workers down: their exits are expected.
  if (Atomics.load(ctrl, ${CONTROL.kernel}) < 0) return;
  recordFailure(status, tid, DIED, message);
  Atomics.store(ctrl, ${CONTROL.error}, 1);
  Atomics.notify(ctrl, ${CONTROL.done});
}
function start(source, init, tid) {
  return new Promise((resolve, reject) => {
    let ready = false;
    const onReady = () => { ready = true; resolve(); };
    const onError = (message) => (ready ? died(tid, message) : reject(new Error(message)));
    if (node) {
      const w = new threads.Worker(source, { eval: true });
      w.once("message", onReady);
      w.on("error", (e) => onError("it threw " + String((e && e.message) || e)));
      w.on("exit", (code) => onError("it exited (code " + code + ")"));
      workers[tid - 1] = w;
    } else {
      const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      const w = new Worker(url);
      w.onmessage = onReady;
      w.onerror = (e) => onError("it threw " + e.message);
      workers[tid - 1] = w;
    }
    workers[tid - 1].postMessage({ ...init, tid });
  });
}
listen(async (msg) => {
  if (msg.kill !== undefined) {
    setTimeout(() => {
      const w = workers[msg.kill - 1];
      if (!w) return;
      void w.terminate();
      died(msg.kill, "it was terminated (fault injection)");
    }, msg.afterMs);
    return;
  }
  const { workerSource, count, init } = msg;
  ctrl = new Int32Array(init.memory.buffer, init.ctrl, ${CONTROL_WORDS});
  status = init.status;
  try {
    await Promise.all(Array.from({ length: count }, (_, i) => start(workerSource, init, i + 1)));
    port.postMessage("ready");
  } catch (e) {
    port.postMessage({ error: String((e && e.message) || e) });
  }
});
`;
