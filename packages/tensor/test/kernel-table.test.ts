/**
 * A backend's kernel table is checked by the compiler: a missing kernel, or a kernel filed under another
 * name, fails `pnpm typecheck` (the @ts-expect-error lines below fail it if the check ever goes away).
 */
import { describe, expect, it } from "vitest";
import { type CpuBackend, cpuKernels, KERNEL_NAMES, type KernelTable, kernelList } from "../src/index.js";

const table = Object.fromEntries(
  cpuKernels.map((k) => [k.kernelName, k]),
) as unknown as KernelTable<CpuBackend>;

describe("kernel tables", () => {
  it("list their kernels in contract order, each under its own name", () => {
    expect(kernelList(table).map((k) => k.kernelName)).toEqual([...KERNEL_NAMES]);
  });

  it("do not compile without every kernel, or with one under another name", () => {
    const { MatMul: _dropped, ...incomplete } = table;
    // @ts-expect-error MatMul is missing
    const missing: KernelTable<CpuBackend> = incomplete;
    // @ts-expect-error the Add slot holds the Sub kernel
    const misfiled: KernelTable<CpuBackend> = { ...table, Add: table.Sub };
    expect(Object.keys(missing)).not.toContain("MatMul");
    expect(misfiled.Add.kernelName).toBe("Sub");
  });
});
