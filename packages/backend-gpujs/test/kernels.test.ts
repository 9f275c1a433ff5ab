/** Every kernel of the contract against the reference cpu backend, in gpu.js's cpu and webasm modes. */
import { KERNEL_NAMES } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import "../src/index.js";
import { kernelCases } from "./cases.js";
import { parityErrors } from "./parity.js";

const cases = kernelCases();

it("covers every kernel of the contract", () => {
  expect(new Set(cases.map((c) => c.kernel))).toEqual(new Set(KERNEL_NAMES));
});

for (const backend of ["gpujs:cpu", "gpujs:webasm"]) {
  describe(backend, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const errors = await parityErrors(backend, c.kernel, c.inputs, c.attrs);
        for (const [name, err] of Object.entries(errors)) {
          expect(err, `${name}: relative error ${err}`).toBeLessThanOrEqual(c.tolerance ?? 2e-5);
        }
      });
    }
  });
}
