/**
 * The backends lay their kernel files out the same way: every kernel of the contract is implemented in
 * a file of the same name (batchnorm.ts, conv.ts, elementwise.ts, ...) in the reference cpu backend,
 * the wasm backend and the gpujs backend. Read from each backend's registration list, whose imports
 * name the file of every kernel.
 */
import { readFileSync } from "node:fs";
import { KERNEL_NAMES } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";

const packages = new URL("../../../packages/", import.meta.url);

/** Where each backend lists its kernels. */
const REGISTRATIONS = {
  cpu: "tensor/src/cpu/register.ts",
  wasm: "backend-wasm/src/register.ts",
  gpujs: "backend-gpujs/src/kernels/index.ts",
} as const;

/** The kernel list's entries (`Conv2D: conv2D`) and the file each value is imported from. */
function kernelFiles(path: string): Map<string, string> {
  const source = readFileSync(new URL(path, packages), "utf8");
  const fileOf = new Map<string, string>();
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    const file = m[2]!.split("/").pop()!.replace(/\.js$/, "");
    for (const name of m[1]!.split(",")) fileOf.set(name.trim().replace(/^type\s+/, ""), file);
  }
  const files = new Map<string, string>();
  for (const m of source.matchAll(/^\s+([A-Za-z0-9]+): ([A-Za-z0-9]+),$/gm)) {
    const file = fileOf.get(m[2]!);
    if (file !== undefined) files.set(m[1]!, file);
  }
  return files;
}

describe("kernel file layout", () => {
  const layouts = Object.entries(REGISTRATIONS).map(
    ([backend, path]) => [backend, kernelFiles(path)] as const,
  );

  it.each(layouts)("%s's registration names the file of every kernel", (_backend, files) => {
    expect([...files.keys()].sort()).toEqual([...KERNEL_NAMES].sort());
  });

  it("every kernel lives in a file of the same name in every backend", () => {
    const differing = KERNEL_NAMES.filter(
      (k) => new Set(layouts.map(([, files]) => files.get(k))).size > 1,
    ).map((k) => `${k}: ${layouts.map(([backend, files]) => `${backend} ${files.get(k)}.ts`).join(", ")}`);
    expect(differing).toEqual([]);
  });
});
