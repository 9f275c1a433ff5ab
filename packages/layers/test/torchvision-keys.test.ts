// torchvision's ResNets: the state dict's keys (in order), shapes and dtypes and the parameter count equal
// torchvision.models.resnetXX(num_classes=K).state_dict(), read from Debian's python3-torchvision (the test
// skips, saying so, where it is not installed).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { summary, TORCHVISION_MODELS, TorchvisionResNet } from "../src/index.js";

const PYTHON = "/usr/bin/python3";
const hasTorchvision =
  existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torchvision"], { stdio: "ignore" }).status === 0;

const KEYS_PY = `
import json, sys, torchvision
out = {}
for name, classes in json.loads(sys.argv[1]):
    m = getattr(torchvision.models, name)(num_classes=classes)
    out[name] = {"parameters": sum(p.numel() for p in m.parameters()),
        "keys": [[k, list(v.shape), str(v.dtype)] for k, v in m.state_dict().items()]}
print(json.dumps(out))
`;

describe.skipIf(!hasTorchvision)(
  "torchvision ResNets' state dicts (needs /usr/bin/python3 with torchvision)",
  () => {
    const cases = TORCHVISION_MODELS.map((name, i) => [name, [10, 1000, 7][i]!] as const);
    let torchvision: Record<string, { parameters: number; keys: [string, number[], string][] }> = {};
    beforeAll(() => {
      torchvision = JSON.parse(
        execFileSync(PYTHON, ["-c", KEYS_PY, JSON.stringify(cases)], { encoding: "utf8" }),
      );
    });

    it.each(cases)("%s(num_classes=%i) has torchvision's keys in torchvision's order", (name, classes) => {
      const expected = torchvision[name]!;
      const net = new TorchvisionResNet(name, { numClasses: classes });
      const dict = net.stateDict();
      expect(Object.keys(dict)).toEqual(expected.keys.map(([k]) => k));
      for (const [key, shape, dtype] of expected.keys) {
        expect(dict[key]!.shape, key).toEqual(shape);
        expect(dict[key]!.dtype, key).toBe(dtype === "torch.int64" ? "int64" : "float32");
      }
      expect(net.numParameters()).toBe(expected.parameters);
    });
  },
);

describe("torchvision ResNet options", () => {
  it("rebuilds conv1 for other channels and keeps the keys with a small stem", () => {
    const options = { inChannels: 1, numClasses: 10, smallStem: true, widths: [4, 4, 4, 4] };
    const net = new TorchvisionResNet("resnet18", options);
    expect(net.stateDict()["conv1.weight"]!.shape).toEqual([4, 1, 3, 3]);
    const s = summary(net, [1, 1, 32, 32]);
    expect(s.layers.find((l) => l.name === "layer1")!.outputShape).toEqual([1, 4, 32, 32]);
    expect(s.layers.find((l) => l.name === "layer4")!.outputShape).toEqual([1, 4, 4, 4]);
    expect(s.layers.at(-1)!.outputShape).toEqual([1, 10]);
    const keys = Object.keys(net.stateDict());
    expect(keys).toEqual(
      Object.keys(new TorchvisionResNet("resnet18", { numClasses: 10, widths: [1, 1, 1, 1] }).stateDict()),
    );
  });

  it("zeroInitResidual zeroes every block's last BN weight and nothing else", () => {
    const net = new TorchvisionResNet("resnet50", { zeroInitResidual: true, widths: [2, 2, 2, 2] });
    const dict = net.stateDict();
    expect([...(dict["layer2.0.bn3.weight"]!.data as Float32Array)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...(dict["layer2.0.bn2.weight"]!.data as Float32Array)]).toEqual([1, 1]);
    const basic = new TorchvisionResNet("resnet18", {
      zeroInitResidual: true,
      widths: [2, 2, 2, 2],
    }).stateDict();
    expect([...(basic["layer4.1.bn2.weight"]!.data as Float32Array)]).toEqual([0, 0]);
    expect([...(basic["layer4.1.bn1.weight"]!.data as Float32Array)]).toEqual([1, 1]);
  });

  it("initialises convs as kaiming_normal_(fan_out): std sqrt(2 / fan_out)", () => {
    const w = new TorchvisionResNet("resnet18", { widths: [64, 1, 1, 1] }).conv1.weight.dataSync();
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / (64 * 49)), 3);
  });

  it("names a model it does not know", () => {
    expect(() => new TorchvisionResNet("resnet101" as never)).toThrow(
      /unknown model 'resnet101'; expected one of resnet18, resnet34, resnet50/,
    );
  });
});
