/** Running the system Python (and PyTorch, when installed) from tests; tests that need them skip without. */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const PYTHON = ["/usr/bin/python3", "python3"].find((p) => !p.startsWith("/") || existsSync(p)) ?? "python3";

const works = (code: string) => spawnSync(PYTHON, ["-c", code], { stdio: "ignore" }).status === 0;

let python: boolean | undefined;
let torch: boolean | undefined;

export const hasPython = () => (python ??= works("import json, struct"));
export const hasTorch = () => (torch ??= hasPython() && works("import torch"));

/** Runs a Python program and returns what it wrote to stdout. */
export function runPython(code: string, args: string[] = []): Uint8Array {
  return new Uint8Array(execFileSync(PYTHON, ["-c", code, ...args], { maxBuffer: 256 * 1024 * 1024 }));
}
