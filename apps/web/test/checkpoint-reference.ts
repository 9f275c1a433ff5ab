/**
 * A checkpoint made outside the browser and its accuracy on the first `testLimit` test examples: by the CLI
 * (`resnet-ts train` then `resnet-ts --json eval`) when it has those commands, otherwise by the same
 * packages' Node API (Trainer, saveCheckpoint, evaluate), which the CLI is built on.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { registerWasmBackend } from "@resnet-ts/backend-wasm";
import { takeFirst } from "@resnet-ts/data";
import { loadFashionMnist } from "@resnet-ts/data/node";
import { setBackend } from "@resnet-ts/tensor";
import { createModel, evaluate, resolveConfig, Trainer } from "@resnet-ts/trainer";
import { loadModelWeights, saveCheckpoint } from "@resnet-ts/trainer/node";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const run = promisify(execFile);

export interface Reference {
  accuracy: number;
  loss: number;
  examples: number;
  /** "cli" or "node-api". */
  madeBy: string;
}

async function cliHas(command: string): Promise<boolean> {
  if (!existsSync(CLI)) return false;
  const { stdout } = await run(process.execPath, [CLI, "--help"]).catch(() => ({ stdout: "" }));
  return new RegExp(`^\\s+${command}\\b`, "m").test(stdout);
}

/** Trains `steps` steps into `path` and evaluates the file on `testLimit` test examples. */
export async function makeReference(
  path: string,
  { steps, testLimit }: { steps: number; testLimit: number },
): Promise<Reference> {
  if ((await cliHas("train")) && (await cliHas("eval"))) {
    const args = [
      "--steps",
      String(steps),
      "--batch-size",
      "32",
      "--train-limit",
      "512",
      "--seed",
      "3",
      "--no-eval",
    ];
    await run(process.execPath, [CLI, "train", ...args, "--out", path]);
    const evalArgs = ["--json", "eval", "--checkpoint", path, "--test-limit", String(testLimit)];
    const { stdout } = await run(process.execPath, [CLI, ...evalArgs]);
    const last = stdout.trim().split("\n").pop()!;
    const result = JSON.parse(last) as { accuracy: number; loss: number; examples: number };
    return { ...result, madeBy: "cli" };
  }
  registerWasmBackend();
  await setBackend("wasm");
  const data = await loadFashionMnist();
  const config = resolveConfig({ steps, trainLimit: 512, batchSize: 32, eval: false, seed: 3 });
  const model = createModel(config);
  const trainer = new Trainer(model, data, config);
  await trainer.run();
  await saveCheckpoint(path, model, { config, progress: trainer.progress });
  const reloaded = createModel(config);
  await loadModelWeights(reloaded, path);
  const test = takeFirst(data.test, testLimit);
  const result = await evaluate(reloaded, test, { batchSize: 100 });
  return { accuracy: result.accuracy, loss: result.loss, examples: result.examples, madeBy: "node-api" };
}

export const checkpointPath = (dir: string) => join(dir, "reference.safetensors");
