/**
 * Backend choice for every command: `--backend NAME` picks a registered backend; without it the engine
 * starts the highest-priority backend that works on this machine. Importing the backend packages
 * registers them with the tensor core.
 */
import "@resnet-ts/backend-gpujs";
import { registerWasmBackend } from "@resnet-ts/backend-wasm";
import { getBackend, listBackends, setBackend } from "@resnet-ts/tensor";
import { UsageError } from "./output.js";

registerWasmBackend();

export async function selectBackend(name: string | null | undefined): Promise<string> {
  if (name && !listBackends().includes(name)) {
    throw new UsageError(`--backend: unknown backend '${name}'; available: ${listBackends().join(", ")}`);
  }
  await setBackend(name ?? undefined);
  return describeBackend();
}

/**
 * The active backend's name with what it reports of itself: gpu.js's running mode (and a software
 * renderer), the wasm backend's threads and relaxed SIMD.
 */
export function describeBackend(): string {
  const b = getBackend() as {
    name: string;
    mode?: string;
    software?: boolean;
    runtime?: { threads: number; relaxedSimd: boolean };
  };
  const details = [
    b.mode && !b.name.endsWith(b.mode) ? b.mode : null,
    b.software ? "software renderer" : null,
    b.runtime ? `${b.runtime.threads} thread${b.runtime.threads === 1 ? "" : "s"}` : null,
    b.runtime?.relaxedSimd ? "relaxed SIMD" : null,
  ].filter(Boolean);
  return details.length ? `${b.name} (${details.join(", ")})` : b.name;
}
