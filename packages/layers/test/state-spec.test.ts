// Module.stateSpec(): the state dict's keys, dtypes and shapes in stateDict() order, for d2l's ResNet-18 and
// torchvision's resnet18/50, read without one backend read (spied on the cpu backend, which the control
// below shows the spy catches); and loadStateDict, which validates against it, reads nothing back either.
import { CpuBackend } from "@resnet-ts/tensor";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Module, resnet18, TorchvisionResNet } from "../src/index.js";

function spyReads() {
  return [vi.spyOn(CpuBackend.prototype, "readSync"), vi.spyOn(CpuBackend.prototype, "read")] as const;
}

afterEach(() => {
  vi.restoreAllMocks();
});

const nets: [string, () => Module][] = [
  ["d2l's resnet18", () => resnet18({ numClasses: 7 })],
  ["torchvision's resnet18", () => new TorchvisionResNet("resnet18", { numClasses: 5 })],
  ["torchvision's resnet50", () => new TorchvisionResNet("resnet50", { numClasses: 3, inChannels: 1 })],
];

describe.each(nets)("stateSpec of %s", (_, build) => {
  const net = build();

  it("lists stateDict()'s keys in its order with its dtypes and shapes, reading nothing", () => {
    const [readSync, read] = spyReads();
    const spec = net.stateSpec();
    expect(readSync).not.toHaveBeenCalled();
    expect(read).not.toHaveBeenCalled();
    const dict = net.stateDict();
    expect(readSync).toHaveBeenCalled(); // the control: a read is seen
    expect(Object.keys(spec)).toEqual(Object.keys(dict));
    const entries = Object.entries(dict).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]);
    expect(Object.entries(spec)).toEqual(entries);
    expect(Object.values(spec).filter((t) => t.dtype === "int64").length).toBeGreaterThan(0);
  });

  it("hands out copies: changing a returned shape changes no later spec", () => {
    const first = Object.values(net.stateSpec())[0]!;
    const want = [...first.shape];
    first.shape[0] = -1;
    expect(Object.values(net.stateSpec())[0]!.shape).toEqual(want);
  });
});

describe("loadStateDict", () => {
  it("checks and writes without a read", () => {
    const source = resnet18({ seed: 1, numClasses: 4 });
    const dict = source.stateDict();
    const target = resnet18({ seed: 2, numClasses: 4 });
    const [readSync, read] = spyReads();
    target.loadStateDict(dict);
    expect(readSync).not.toHaveBeenCalled();
    expect(read).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(target.stateDict()["0.0.weight"]!.data).toEqual(dict["0.0.weight"]!.data);
  });
});
