/**
 * `describeBackendParity`: a vitest suite that runs every kernel of the contract on a backend and on
 * the reference `cpu` backend with the same inputs and fails on any difference.
 */
import { KERNEL_NAMES, type KernelName, getBackend, hasKernel, setBackend } from "@resnet-ts/tensor";
import { describe, it } from "vitest";
import { type CaseSize, kernelCases } from "./cases.js";
import { type CompareOptions, type Tolerance, compareKernel } from "./compare.js";

export interface ParityOptions extends CompareOptions {
  /** Tolerance for every kernel (default rtol 1e-4, atol 1e-5, see `Tolerance`). */
  tolerance?: Tolerance;
  /** Per-kernel tolerances, replacing `tolerance` for those kernels. */
  kernelTolerance?: Partial<Record<KernelName, Tolerance>>;
  /** Kernels to report as skipped (not implemented yet, or known to differ). */
  skip?: readonly KernelName[];
  /** Single cases to report as skipped, as `"<kernel> [<case name>]"`, each with the reason shown in its test name. */
  skipCases?: Readonly<Record<string, string>>;
  /** `small` (default): small shapes with the edge cases; `full`: ResNet-18's own layer shapes. */
  shapes?: CaseSize;
  /** Seed for the inputs (default 1). */
  seed?: number;
  /** Per-test timeout in milliseconds (default: vitest's). */
  timeout?: number;
}

/**
 * Declares, inside the calling test file, one vitest test per kernel case: each runs the kernel on
 * the reference backend and on `backendName` and fails listing every output (or in-place update)
 * that differs. The backend must be registered (and its kernels) before the tests run.
 *
 * @example
 *   import "../src/register.js"; // registers the 'wasm' backend and its kernels
 *   import { describeBackendParity } from "@resnet-ts/kernel-tests";
 *   describeBackendParity("wasm", { skip: ["ResizeBilinear"], kernelTolerance: { Sum: { rtol: 1e-3 } } });
 */
export function describeBackendParity(backendName: string, options: ParityOptions = {}): void {
  const {
    skip = [],
    skipCases = {},
    shapes = "small",
    seed = 1,
    timeout,
    kernelTolerance = {},
    ...compare
  } = options;
  const reference = compare.reference ?? "cpu";
  describe(`kernel parity: '${backendName}' against '${reference}' (${shapes} shapes)`, () => {
    it("the backend starts and registers every kernel of the contract", async () => {
      const previous = getBackend().name;
      // Kernels register under the backend's own name, which a second registration shares.
      const { name } = await setBackend(backendName);
      await setBackend(previous);
      const missing = KERNEL_NAMES.filter((k) => !skip.includes(k) && !hasKernel(name, k));
      if (missing.length) throw new Error(`'${backendName}' does not register: ${missing.join(", ")}`);
    });

    for (const kernel of KERNEL_NAMES) {
      describe(kernel, () => {
        for (const kernelCase of kernelCases(kernel, shapes, seed)) {
          const reason = skipCases[`${kernel} [${kernelCase.name}]`];
          it.skipIf(skip.includes(kernel) || reason !== undefined)(
            reason === undefined ? kernelCase.name : `${kernelCase.name} (skipped: ${reason})`,
            async () => {
              const tolerance = kernelTolerance[kernel] ?? compare.tolerance;
              const mismatches = await compareKernel(backendName, kernelCase, {
                ...compare,
                ...(tolerance ? { tolerance } : {}),
              });
              if (mismatches.length) throw new Error(mismatches.map((m) => m.message).join("\n"));
            },
            timeout,
          );
        }
      });
    }
  });
}
