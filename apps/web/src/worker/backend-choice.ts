/**
 * Which backends train in this browser (worker side). A GPU backend (gpu.js on WebGPU or WebGL2) is
 * a candidate only when the GPU is real hardware: a software renderer (SwiftShader, llvmpipe, a
 * fallback adapter) runs on the CPU and is far slower than WebAssembly SIMD. With a hardware GPU the
 * worker times the candidates before training (backend-timing.ts) rather than assuming the GPU wins;
 * the static recommendation below is the choice before (or without) a measurement: a hardware GPU,
 * else `wasm` (needs cross-origin isolation for its shared memory and threads), else the reference `cpu`.
 */
import {
  type AdapterLike,
  adapterName,
  glRenderer,
  isSoftwareRenderer,
} from "@resnet-ts/backend-gpujs/renderer";
import { getBackend, listBackends, registerBackend, registerKernels, setBackend } from "@resnet-ts/tensor";
import type { BackendOption } from "../protocol.js";

interface GpuProbe {
  available: boolean;
  /** Adapter or renderer name, or why there is none. */
  name: string;
  software: boolean;
}

interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

async function probeWebGpu(): Promise<GpuProbe> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { available: false, name: "no navigator.gpu", software: false };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, name: "no WebGPU adapter", software: false };
    const name = adapterName(adapter);
    return { available: true, name, software: isSoftwareRenderer(name) };
  } catch (error) {
    return { available: false, name: `requestAdapter failed: ${(error as Error).message}`, software: false };
  }
}

function probeWebGl2(): GpuProbe {
  if (typeof OffscreenCanvas === "undefined")
    return { available: false, name: "no OffscreenCanvas", software: false };
  const gl = new OffscreenCanvas(1, 1).getContext("webgl2");
  if (!gl) return { available: false, name: "no WebGL2 context", software: false };
  const name = glRenderer(gl);
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return { available: true, name, software: isSoftwareRenderer(name) };
}

export interface BackendProbe {
  options: BackendOption[];
  recommended: string;
  /** The usable GPU backends that run on hardware (not a software renderer). */
  hardwareGpus: string[];
}

/** The backends this browser offers, best first where the recommendation is concerned. */
export async function probeBackends(): Promise<BackendProbe> {
  const [webgpu, webgl2] = [await probeWebGpu(), probeWebGl2()];
  const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  const gpuNote = (p: GpuProbe) =>
    p.software ? `${p.name} (software renderer: runs on the CPU, slow)` : p.name;
  const options: BackendOption[] = [
    { name: "gpujs:webgpu", label: "WebGPU (gpu.js)", note: gpuNote(webgpu), usable: webgpu.available },
    { name: "gpujs:webgl2", label: "WebGL2 (gpu.js)", note: gpuNote(webgl2), usable: webgl2.available },
    {
      name: "wasm",
      label: "WebAssembly SIMD (threads)",
      note: isolated
        ? `${navigator.hardwareConcurrency} cores`
        : "needs a cross-origin isolated page (COOP/COEP) for SharedArrayBuffer",
      usable: isolated,
    },
    { name: "cpu", label: "JavaScript (reference cpu)", note: "always available, slowest", usable: true },
  ];
  const hardwareGpus = (
    [
      ["gpujs:webgpu", webgpu],
      ["gpujs:webgl2", webgl2],
    ] as const
  )
    .filter(([, p]) => p.available && !p.software)
    .map(([name]) => name);
  const recommended = hardwareGpus[0] ?? (isolated ? "wasm" : "cpu");
  return { options, recommended, hardwareGpus };
}

async function register(name: string): Promise<void> {
  if (listBackends().includes(name)) return;
  if (name === "wasm") {
    const { registerWasmBackend } = await import("@resnet-ts/backend-wasm");
    registerWasmBackend();
  } else if (name.startsWith("gpujs:")) {
    // Registered here by mode: in a worker, gpu.js's own browser detection (which looks for `window`) may not offer them.
    const gpujs = await import("@resnet-ts/backend-gpujs");
    if (listBackends().includes(name)) return;
    const mode = name.slice("gpujs:".length) as Parameters<typeof gpujs.startExecutor>[0];
    registerBackend(name, async () => new gpujs.GpujsBackend(name, await gpujs.startExecutor(mode)), {
      priority: -2,
    });
    registerKernels(gpujs.gpujsKernelConfigs(name));
  } else if (name !== "cpu") {
    throw new Error(`backend '${name}' is not one of gpujs:webgpu, gpujs:webgl2, wasm, cpu`);
  }
}

/**
 * Makes `name` the active backend, or, when it cannot start, the next usable one of `fallbacks`;
 * returns the name in use and the failures on the way.
 */
export async function activateBackend(
  name: string,
  fallbacks: string[],
): Promise<{ name: string; failures: string[] }> {
  const failures: string[] = [];
  for (const candidate of [name, ...fallbacks.filter((f) => f !== name)]) {
    try {
      await register(candidate);
      await setBackend(candidate);
      return { name: getBackend().name, failures };
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no backend could start (${failures.join("; ")})`);
}
