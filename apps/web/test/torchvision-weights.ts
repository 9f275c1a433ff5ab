/**
 * PyTorch's side of the web app's fine-tuning test, with Debian's /usr/bin/python3 (python3-torch,
 * python3-torchvision): a random-init torchvision ResNet written by `torch.save(model.state_dict())`
 * (generated at test time: ResNet-18 is 45 MB), and a project checkpoint loaded into torchvision's model
 * with `load_state_dict(strict=True)` by the trainer tests' torchvision_reference.py.
 */
import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const PYTHON = "/usr/bin/python3";
const REFERENCE = fileURLToPath(
  new URL("../../../packages/trainer/test/torchvision_reference.py", import.meta.url),
);
const run = promisify(execFile);

/** Why torchvision cannot run here, or null when it can. */
export function torchvisionMissing(): string | null {
  const probe = spawnSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" });
  return probe.status === 0 ? null : `${PYTHON} cannot import torch and torchvision`;
}

/** Writes `torchvision.models.<model>(num_classes=classes).state_dict()` (seed 0) to `path` with torch.save. */
export async function savePth(path: string, model: string, classes: number): Promise<void> {
  const code =
    "import sys, torch, torchvision\n" +
    "torch.manual_seed(0)\n" +
    "net = getattr(torchvision.models, sys.argv[1])(num_classes=int(sys.argv[2]))\n" +
    "torch.save(net.state_dict(), sys.argv[3])\n";
  await run(PYTHON, ["-c", code, model, String(classes), path]);
}

/**
 * Loads the safetensors checkpoint `weights` into torchvision's `model` strictly and returns its eval-mode
 * logits on the tensor `x` of the safetensors file `input` (flattened).
 */
export async function torchvisionLogits(
  model: string,
  classes: number,
  weights: string,
  input: string,
): Promise<number[]> {
  const { stdout } = await run(PYTHON, [REFERENCE, "predict", model, String(classes), weights, input]);
  return JSON.parse(stdout) as number[];
}
