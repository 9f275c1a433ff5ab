/** Every kernel of the contract against the reference cpu backend, in gpu.js's cpu and webasm modes. */
import { KERNEL_NAMES } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import "../src/index.js";
import { kernelCases } from "./cases.js";
import { expectParity } from "./parity.js";

const cases = kernelCases();

it("covers every kernel of the contract", () => {
  expect(new Set(cases.map((c) => c.kernel))).toEqual(new Set(KERNEL_NAMES));
});

for (const backend of ["gpujs:cpu", "gpujs:webasm"]) {
  describe(backend, () => {
    for (const c of cases) {
      it(c.name, async () => {
        await expectParity(backend, c.kernel, c.inputs, c.attrs, c.tolerance ?? 2e-5);
      });
    }
  });
}
