#!/usr/bin/env node
/** The `resnet-ts` command: train, evaluate, predict with, summarise and benchmark the d2l ResNet-18. */
import { Command, CommanderError } from "commander";
import { registerBench } from "./commands/bench.js";
import { registerCompare } from "./commands/compare.js";
import { registerEval } from "./commands/eval.js";
import { registerPredict } from "./commands/predict.js";
import { registerSummary } from "./commands/summary.js";
import { registerTrain } from "./commands/train.js";
import { makeOutput, type Output } from "./output.js";

const program = new Command();
program
  .name("resnet-ts")
  .description(
    "Train ResNets (d2l.ai's ResNet-18, torchvision's ResNet-18/34/50) in Node on Fashion-MNIST, IDX files, CIFAR-10 or " +
      "class folders of your own images, from scratch or from PyTorch weights, and use the checkpoints.",
  )
  .option("--json", "machine-readable output: one JSON object per line on stdout, the result last")
  .option("--verbose", "print stack traces on errors")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

let out: Output | undefined;
const output = () => {
  out ??= makeOutput(Boolean(program.opts().json));
  return out;
};

registerTrain(program, output);
registerEval(program, output);
registerPredict(program, output);
registerSummary(program, output);
registerBench(program, output);
registerCompare(program, output);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed its message (unknown option, --help, --version).
    process.exitCode = error.exitCode;
  } else {
    const verbose = program.opts().verbose || process.argv.includes("--verbose");
    process.stderr.write(
      `error: ${verbose ? ((error as Error).stack ?? String(error)) : (error as Error).message}\n`,
    );
    process.exitCode = 1;
  }
}
