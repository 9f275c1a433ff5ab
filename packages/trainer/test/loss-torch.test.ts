// The training loss with label smoothing against torch.nn.CrossEntropyLoss(label_smoothing=...) (torch_schedules.py).
import { fileURLToPath } from "node:url";
import { fromArray, Rng } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { crossEntropy } from "../src/index.js";
import { hasTorch, runPython } from "./python.js";

const script = fileURLToPath(new URL("./torch_schedules.py", import.meta.url));
const SCRIPT = `import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")`;

describe.skipIf(!hasTorch())(
  "crossEntropy with label smoothing matches PyTorch (needs python3-torch)",
  () => {
    const rng = new Rng(11);
    const [n, k] = [8, 10];
    const logits = Array.from({ length: n * k }, () => Math.fround(3 * rng.normal()));
    const labels = Array.from({ length: n }, () => rng.int(k));
    const smoothings = [0, 0.1, 0.35, 1];
    const expected = JSON.parse(
      new TextDecoder().decode(
        runPython(SCRIPT, [
          script,
          JSON.stringify(
            smoothings.map((labelSmoothing) => ({ kind: "loss", n, k, logits, labels, labelSmoothing })),
          ),
        ]),
      ),
    ) as { loss: number; grad: number[] }[];

    smoothings.forEach((e, i) => {
      it(`label_smoothing=${e}: loss and gradient`, () => {
        const x = fromArray(logits, [n, k]).requireGrad();
        const loss = crossEntropy(x, fromArray(labels), e);
        const want = expected[i]!;
        expect(Math.abs(loss.item() - want.loss)).toBeLessThan(1e-5 * want.loss);
        loss.backward();
        const grad = x.grad!.dataSync();
        want.grad.forEach((g, j) => {
          expect(Math.abs(grad[j]! - g), `grad[${j}]`).toBeLessThan(1e-6);
        });
      });
    });

    it("smoothing changes the loss (the comparison is not vacuous)", () => {
      expect(Math.abs(expected[1]!.loss - expected[0]!.loss)).toBeGreaterThan(1e-2);
    });
  },
);
