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

/** The active backend's name, with its mode when it reports one (e.g. gpujs running as webasm). */
export function describeBackend(): string {
  const b = getBackend() as { name: string; mode?: string };
  return b.mode && !b.name.endsWith(b.mode) ? `${b.name} (${b.mode})` : b.name;
}
