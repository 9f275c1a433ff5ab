/** Running Debian's Python (with python3-torchvision) from tests; tests that need it skip without. */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
let torchvision: boolean | undefined;

export const hasTorchvision = () =>
  (torchvision ??= spawnSync(PYTHON, ["-c", "import torchvision, PIL"], { stdio: "ignore" }).status === 0);

/** Runs a Python script with arguments and returns its stdout. */
export function runPythonScript(script: string, args: string[]): Uint8Array {
  return new Uint8Array(execFileSync(PYTHON, [script, ...args], { maxBuffer: 256 * 1024 * 1024 }));
}
