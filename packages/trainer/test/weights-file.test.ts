// What the CLI and the web app share for fine-tuning: a weights file loaded into a model with its lines
// (loadWeightsFile), the frozen parts in one line (describeFrozen) and the pre-training memory check
// (batchMemoryError). The .pth case is a real torch.save file (skipped without /usr/bin/python3 + torch).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerWasmBackend } from "@resnet-ts/backend-wasm";
import { type Module, TorchvisionResNet } from "@resnet-ts/layers";
import { setBackend } from "@resnet-ts/tensor";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyFreeze,
  batchMemoryError,
  describeFrozen,
  encodeSafetensors,
  loadWeightsFile,
  readWeights,
} from "../src/index.js";
import { hasTorch, runPython } from "./python.js";

const narrow = (name: "resnet18" | "resnet34", numClasses: number, inChannels = 3) =>
  new TorchvisionResNet(name, { numClasses, inChannels, widths: [2, 2, 2, 2], seed: 1 });
const weightsOf = (m: Module, key: string) => Array.from(m.stateDict()[key]!.data as Float32Array);

describe("loadWeightsFile", () => {
  it("loads a safetensors file, replacing the head, and says so in its lines", () => {
    const source = narrow("resnet18", 1000);
    const target = narrow("resnet18", 3);
    const head = weightsOf(target, "fc.weight");
    const file = readWeights(encodeSafetensors(source.stateDict()), "r18.safetensors");
    const loaded = loadWeightsFile(target, file, { fileName: "r18.safetensors", modelName: "resnet18" });
    expect(loaded.line).toBe("safetensors weights from r18.safetensors loaded into resnet18");
    expect(loaded.notes).toEqual([
      "head: fc replaced (1000 classes in the file, 3 here), freshly initialised",
    ]);
    expect(loaded.replacedHead).toEqual(["fc.weight", "fc.bias"]);
    expect(weightsOf(target, "layer3.1.conv2.weight")).toEqual(weightsOf(source, "layer3.1.conv2.weight"));
    expect(weightsOf(target, "fc.weight")).toEqual(head);
  });

  it("refuses another architecture's weights in one line and loads nothing", () => {
    const target = narrow("resnet34", 3);
    const before = weightsOf(target, "conv1.weight");
    const file = readWeights(encodeSafetensors(narrow("resnet18", 3).stateDict()));
    expect(() =>
      loadWeightsFile(target, file, { fileName: "r18.safetensors", modelName: "resnet34" }),
    ).toThrow(
      /^pretrained: the weights do not fit resnet34: missing keys \(\d+ of \d+\): layer1\.2\.conv1\.weight.*; they are resnet18's weights \(choose that model\)$/,
    );
    expect(weightsOf(target, "conv1.weight")).toEqual(before);
  });

  it("a file named .pth that is not a torch.save file says what a .pth should be", () => {
    expect(() => readWeights(new TextEncoder().encode("not weights"), "junk.pth")).toThrow(
      /^pth: junk\.pth is not a torch\.save zip \(it does not start with PK\\x03\\x04\)$/,
    );
    expect(() => readWeights(new TextEncoder().encode("not weights"), "junk.safetensors")).toThrow(
      /safetensors/,
    );
  });

  describe.skipIf(!hasTorch())("a torch.save file (needs /usr/bin/python3 with torch)", () => {
    let dir = "";
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("the reader's notes come first, then the fit's: wrapped, module. stripped, channels summed, head replaced", () => {
      // Random tensors of the narrow net's shapes (a 10-class, 3-channel head and stem) under DataParallel's
      // "module." prefix, wrapped as {"model": ...}, as torch.save writes them.
      const shapes = Object.fromEntries(
        Object.entries(narrow("resnet18", 10).stateDict()).map(([k, t]) => [k, [t.dtype, t.shape]]),
      );
      dir = mkdtempSync(join(tmpdir(), "resnet-ts-weights-file-"));
      const path = join(dir, "wrapped.pth");
      runPython(
        `import json, sys, torch
torch.manual_seed(0)
shapes = json.loads(sys.argv[1])
sd = {"module." + k: (torch.randint(0, 5, s) if d == "int64" else torch.randn(s)) for k, (d, s) in shapes.items()}
torch.save({"model": sd}, sys.argv[2])`,
        [JSON.stringify(shapes), path],
      );
      const file = readWeights(new Uint8Array(readFileSync(path)), "wrapped.pth");
      const target = narrow("resnet18", 4, 1);
      const loaded = loadWeightsFile(target, file, { fileName: "wrapped.pth", modelName: "resnet18" });
      expect(loaded.line).toBe("pth weights from wrapped.pth loaded into resnet18");
      expect(loaded.notes).toEqual([
        `the state dict is wrapped.pth's "model" entry`,
        "stripped the 'module.' prefix (a DataParallel state dict)",
        "head: fc replaced (10 classes in the file, 4 here), freshly initialised",
        "conv1.weight: the 3-channel weights summed over the input channels for this 1-channel model",
      ]);
      const w3 = file.stateDict["module.layer1.0.bn1.running_var"]!.data as Float32Array;
      expect(weightsOf(target, "layer1.0.bn1.running_var")).toEqual(Array.from(w3));
    });
  });
});

describe("describeFrozen", () => {
  it("names the frozen parts and counts, or nothing when none is frozen", () => {
    const model = narrow("resnet18", 3);
    const frozen = applyFreeze(model, "layers:1");
    const line = describeFrozen(frozen, "layers:1", true);
    expect(line).toBe(
      `freeze layers:1: ${frozen.frozenParameters.toLocaleString("en-US")} parameters frozen (conv1, bn1, layer1), ` +
        `${frozen.trainableParameters.toLocaleString("en-US")} trained; their BatchNorm layers in eval mode`,
    );
    expect(frozen.frozenParameters).toBeGreaterThan(0);
    expect(describeFrozen(applyFreeze(model, "none"), "none", false)).toBeNull();
  });
});

describe("batchMemoryError", () => {
  afterAll(() => setBackend("cpu"));
  const config = { batchSize: 4096, resize: null, model: "resnet18" as const };

  it("on the cpu backend there is no WebAssembly heap to check", async () => {
    await setBackend("cpu");
    expect(batchMemoryError(narrow("resnet18", 3), config, 3, 64, 64)).toBeNull();
  });

  it("on wasm a batch beyond 4 GiB is refused with the largest that fits; one that fits passes", async () => {
    registerWasmBackend();
    await setBackend("wasm");
    const model = new TorchvisionResNet("resnet18", { numClasses: 3 });
    expect(batchMemoryError(model, config, 3, 64, 64)).toMatch(
      /^batch 4096 of resnet18 at 3x64x64 needs about \d+\.\d\d GiB, the WebAssembly heap holds 4\.00 GiB; the largest batch that fits is \d+$/,
    );
    expect(batchMemoryError(model, { ...config, batchSize: 2 }, 3, 64, 64)).toBeNull();
    // The configured resize is the size checked, not the stored one.
    expect(batchMemoryError(model, { ...config, batchSize: 128, resize: 224 }, 3, 64, 64)).toMatch(
      /^batch 128 of resnet18 at 3x224x224 needs .* the largest batch that fits is \d+$/,
    );
  });
});
