// `resnet-ts summary --model`: torchvision's stages and parameter counts, and what --freeze would freeze.
import { describe, expect, it } from "vitest";
import { cli, jsonLines } from "./run-cli.js";

describe("resnet-ts summary --model", () => {
  it("counts torchvision ResNet-18's parameters and, with --freeze backbone, only the head as trainable", async () => {
    const r = await cli(
      "--json",
      "summary",
      "--model",
      "resnet18",
      "--input",
      "1,3,64,64",
      "--freeze",
      "backbone",
    );
    expect(r.code, r.stderr).toBe(0);
    const [s] = jsonLines(r.stdout) as {
      parameters: number;
      trainableParameters: number;
      frozenParameters: number;
      layers: { name: string; outputShape: number[]; frozen: number }[];
    }[];
    // torchvision's resnet18 has 11,689,512 parameters with its 1000-class fc (512*1000 + 1000); here fc has 10.
    expect(s!.parameters).toBe(11_689_512 - 513_000 + 5_130);
    expect(s!.trainableParameters).toBe(5_130);
    expect(s!.frozenParameters).toBe(s!.parameters - 5_130);
    expect(s!.layers.map((l) => l.name)).toEqual([
      "conv1",
      "bn1",
      "relu",
      "maxpool",
      "layer1",
      "layer2",
      "layer3",
      "layer4",
      "avgpool",
      "flatten",
      "fc",
    ]);
    expect(s!.layers.find((l) => l.name === "layer4")!.outputShape).toEqual([1, 512, 2, 2]);
    expect(s!.layers.find((l) => l.name === "fc")!.frozen).toBe(0);
    expect(r.stderr).toContain("trainable parameters: 5,130");
  });

  it("builds d2l's net at --width 0.5 and names a bad --width", async () => {
    const half = await cli("--json", "summary", "--width", "0.5", "--input", "1,1,28,28");
    expect(half.code, half.stderr).toBe(0);
    expect(JSON.parse(half.stdout.trim().split("\n").at(-1)!).parameters).toBe(2_799_818);
    const off = await cli("summary", "--width", "0.3");
    expect(off.code).toBe(1);
    expect(off.stderr.trim()).toBe(
      "error: --width: must be a multiple of 1/64 greater than 0 and at most 4 (64 x width stem channels) (got 0.3)",
    );
    const torchvision = await cli("train", "--model", "resnet18", "--width", "0.5", "--steps", "1");
    expect(torchvision.code).toBe(1);
    expect(torchvision.stderr).toMatch(/--width: applies to d2l-resnet18 only \(the model is resnet18/);
  });

  it("names a bad --model or --freeze", async () => {
    const bad = await cli("summary", "--model", "resnet99");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--model: expected one of d2l-resnet18, resnet18, resnet34, resnet50/);
    const freeze = await cli("summary", "--model", "resnet18", "--freeze", "layers:7");
    expect(freeze.code).not.toBe(0);
    expect(freeze.stderr).toMatch(/--freeze: expected none, backbone, stem or layers:N/);
  });
});
