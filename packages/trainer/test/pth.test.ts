// Reading .pth files and fitting pretrained weights: files from pth_fixtures.py (real torch.save output
// where torch is installed, crafted malicious pickles with Python's stdlib) and narrow models built here.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Module, resnet, type StateDict, TorchvisionResNet } from "@resnet-ts/layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePth, encodeSafetensors, fitPretrained, loadPretrained, readWeights } from "../src/index.js";
import { hasPython, hasTorch, runPython } from "./python.js";

const SCRIPT = readFileSync(new URL("./pth_fixtures.py", import.meta.url), "utf8");
let dir = "";
const read = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const decode = (name: string) => decodePth(read(name), name);

beforeAll(() => {
  if (!hasPython()) return;
  dir = mkdtempSync(join(tmpdir(), "resnet-ts-pth-"));
  runPython(SCRIPT, [dir]);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPython())("restricted unpickler (needs /usr/bin/python3)", () => {
  it("refuses an os.system reduce, naming the global, without running it", () => {
    expect(() => decode("evil-system.pth")).toThrow(
      /^pth: evil-system\.pth \(archive\/data\.pkl\): refuses the global posix\.system/,
    );
  });

  it("refuses builtins.eval inside a dict", () => {
    expect(() => decode("evil-nested.pth")).toThrow(
      /refuses the global __builtin__\.eval: a state dict holds only tensors/,
    );
  });
});

describe.skipIf(!hasTorch())("torch.save files (needs /usr/bin/python3 with torch)", () => {
  it("reads float16, bfloat16 (widened to float32), int64 and a non-contiguous tensor", () => {
    const { stateDict, notes } = decode("mixed.pth");
    expect([...(stateDict.half!.data as Float32Array)]).toEqual([1.5, -2, 65504, 2 ** -24]);
    expect(stateDict.bf16!.data[0]).toBe(1.5);
    expect(stateDict.bf16!.data[1]).toBe(-3);
    expect(stateDict.bf16!.data[2]).toBeCloseTo(1e30, -27);
    expect(stateDict.count).toEqual({ dtype: "int64", shape: [], data: BigInt64Array.of(7n) });
    expect(stateDict.transposed!.shape).toEqual([3, 2]);
    expect([...(stateDict.transposed!.data as Float32Array)]).toEqual([0, 3, 1, 4, 2, 5]);
    expect(notes).toEqual(["float16 and bfloat16 tensors widened to float32"]);
  });

  it("unwraps {'state_dict': ...}; fitting strips the module. prefix with a note", () => {
    const { stateDict, notes } = decode("wrapped.pth");
    expect(Object.keys(stateDict)).toEqual(["module.a", "module.b"]);
    expect(notes).toEqual([`the state dict is wrapped.pth's "state_dict" entry`]);
  });

  it.each([
    [
      "double.pth",
      /^pth: double\.pth: tensor 'w' is torch\.DoubleStorage; this reader takes float32, float16, bfloat16 and int64$/,
    ],
    ["short.pth", /^pth: short\.pth: tensor 'half''s storage holds 3 bytes, its 4 float16 values need 8$/],
    [
      "deflated.pth",
      /entry 'plain\/data\.pkl' is compressed \(method 8\); torch\.save stores entries uncompressed/,
    ],
  ])("%s: one-line error", (name, message) => {
    expect(() => decode(name)).toThrow(message);
  });

  it("a truncated file is a one-line error at any cut", () => {
    const bytes = read("mixed.pth");
    for (const cut of [10, 200, bytes.length - 30, bytes.length - 1]) {
      expect(() => decodePth(bytes.subarray(0, cut), "cut.pth")).toThrow(
        /^pth: cut\.pth: the zip is truncated or damaged/,
      );
    }
  });

  it("readWeights tells safetensors from .pth", () => {
    const st = encodeSafetensors({ w: { dtype: "float32", shape: [1], data: Float32Array.of(2) } });
    expect(readWeights(st).format).toBe("safetensors");
    expect(readWeights(read("plain.pth")).format).toBe("pth");
  });
});

describe("fitting pretrained weights", () => {
  const narrow = (numClasses: number, inChannels = 3) =>
    new TorchvisionResNet("resnet18", { numClasses, inChannels, widths: [2, 2, 2, 2], seed: 1 });
  const snapshot = (m: Module) =>
    Buffer.from((m.stateDict()["layer1.0.conv1.weight"]!.data as Float32Array).buffer);

  it("replaces a head of another class count and loads everything else", () => {
    const source = narrow(1000);
    const target = narrow(10);
    const fc = target.stateDict()["fc.weight"]!.data.slice();
    const { notes, replacedHead } = loadPretrained(target, source.stateDict());
    expect(replacedHead).toEqual(["fc.weight", "fc.bias"]);
    expect(notes).toEqual(["head: fc replaced (1000 classes in the file, 10 here), freshly initialised"]);
    expect(snapshot(target).equals(snapshot(source))).toBe(true);
    expect(target.stateDict()["fc.weight"]!.data).toEqual(fc);
  });

  it("without head replacement a wrong head size is an error and nothing is loaded", () => {
    const target = narrow(10);
    const before = snapshot(target);
    expect(() => loadPretrained(target, narrow(1000).stateDict(), { replaceHead: false })).toThrow(
      /^pretrained: the head fc\.weight is \[1000,2\] in the file and \[10,2\] in the model; allow head replacement/,
    );
    expect(snapshot(target).equals(before)).toBe(true);
  });

  it("sums 3-channel conv1 weights over the input channels for a 1-channel model", () => {
    const source = narrow(10, 3);
    const target = narrow(10, 1);
    const { notes } = loadPretrained(target, source.stateDict());
    expect(notes).toEqual([
      "conv1.weight: the 3-channel weights summed over the input channels for this 1-channel model",
    ]);
    const w3 = source.stateDict()["conv1.weight"]!.data as Float32Array;
    const w1 = target.stateDict()["conv1.weight"]!.data as Float32Array;
    expect(w1[0]).toBeCloseTo(w3[0]! + w3[49]! + w3[98]!, 6);
  });

  it("strips a DataParallel module. prefix", () => {
    const source = Object.fromEntries(
      Object.entries(narrow(10).stateDict()).map(([k, v]) => [`module.${k}`, v]),
    );
    const { notes } = fitPretrained(narrow(10), source);
    expect(notes).toEqual(["stripped the 'module.' prefix (a DataParallel state dict)"]);
  });

  it.each([
    [
      "d2l-resnet18",
      () => resnet({ widths: [2, 2, 2, 2] }).stateDict(),
      /missing keys \(122 of 122\): conv1\.weight, bn1\.weight, bn1\.bias, bn1\.running_mean, bn1\.running_var, \.\.\.; unexpected keys \(127\): 0\.0\.weight, 0\.0\.bias, .*; they are d2l-resnet18's weights/,
    ],
    [
      "resnet50",
      () => new TorchvisionResNet("resnet50", { widths: [1, 1, 1, 1] }).stateDict(),
      /^pretrained: the weights do not fit resnet18: unexpected keys \(\d+\): layer1\.0\.conv3\.weight.*; they are resnet50's weights \(choose that model\)$/,
    ],
  ])("keys of %s are refused, naming a few and the model they match", (_, dict, message) => {
    const target = narrow(10);
    const before = snapshot(target);
    expect(() => loadPretrained(target, dict() as StateDict)).toThrow(message);
    expect(snapshot(target).equals(before)).toBe(true);
  });
});
