/**
 * Which gpu.js modes exist here and which one `gpujs` uses. A mode counts as working only after a
 * tiny kernel ran on it and gave the right numbers (an API that exists may still have no adapter or
 * no GL context). Browser: webgpu if an adapter answers, else webgl2, else webgl, else webasm, else
 * cpu. Node: headlessgl if it works, else webasm, else cpu.
 */
import { ArrayExecutor } from "./executors/array.js";
import { GlExecutor } from "./executors/gl.js";
import { GPU } from "./executors/gpujs.js";
import type { Executor, GpujsMode } from "./executors/types.js";
import { WebGpuExecutor } from "./executors/webgpu.js";

const global = globalThis as { process?: { versions?: { node?: string } }; navigator?: { gpu?: unknown } };

/** A browser page or a browser's Web Worker: anything that is not Node. */
export const isBrowser = global.process?.versions?.node === undefined;

const hasNavigatorGpu = () => Boolean(global.navigator?.gpu);

/** Modes worth registering here (each is still probed before use). */
export function candidateModes(): GpujsMode[] {
  const modes: GpujsMode[] = isBrowser ? ["webgl2", "webgl"] : ["headlessgl"];
  if (hasNavigatorGpu()) modes.unshift("webgpu");
  return [...modes, "webasm", "cpu"];
}

export function makeExecutor(mode: GpujsMode): Executor {
  switch (mode) {
    case "cpu":
    case "webasm":
      return new ArrayExecutor(mode);
    case "webgl":
    case "webgl2":
    case "headlessgl":
      return new GlExecutor(mode);
    case "webgpu":
      return new WebGpuExecutor();
  }
}

function supported(mode: GpujsMode): boolean {
  switch (mode) {
    case "cpu":
      return true;
    case "webasm":
      return GPU.isWebAssemblySupported;
    case "webgl":
      return GPU.isWebGLSupported;
    case "webgl2":
      return GPU.isWebGL2Supported;
    case "headlessgl":
      return GPU.isHeadlessGLSupported;
    case "webgpu":
      return GPU.isWebGPUSupported;
  }
}

/** Makes an executor for `mode` and checks it computes; throws a clear error if it does not. */
export async function startExecutor(mode: GpujsMode): Promise<Executor> {
  if (!supported(mode)) throw new Error(`gpujs:${mode}: gpu.js reports this mode as unsupported here`);
  if (mode === "webgpu" && !(await GPU.isWebGPUAvailable())) {
    throw new Error("gpujs:webgpu: navigator.gpu exists but no adapter answered requestAdapter()");
  }
  const executor = makeExecutor(mode);
  try {
    const a = executor.upload(Float32Array.of(1, 2, 3, 4), [2, 2, 1]);
    const b = executor.run(
      "function(a, s) { return a[this.thread.z][this.thread.y][this.thread.x] * s + 1; }",
      [2, 2, 1],
      [{ handle: a, dims: [2, 2, 1] }, 2],
    );
    const got = Array.from(await executor.read(b, [2, 2, 1]));
    executor.release(a);
    executor.release(b);
    if (got.join() !== "3,5,7,9") throw new Error(`a test kernel returned [${got}] instead of [3,5,7,9]`);
  } catch (error) {
    executor.destroy();
    throw new Error(`gpujs:${mode}: the mode does not work here: ${(error as Error).message}`);
  }
  return executor;
}

/** The first candidate mode that works. */
export async function startAuto(): Promise<Executor> {
  const failures: string[] = [];
  for (const mode of candidateModes()) {
    try {
      return await startExecutor(mode);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new Error(`gpujs: no gpu.js mode works here (${failures.join("; ")})`);
}
