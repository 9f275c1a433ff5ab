/**
 * The training flags shared by `train` (and read back from checkpoints): commander's strings become the
 * trainer's `TrainConfigInput`, and a ConfigError from the trainer's zod schema becomes one line naming
 * each bad flag and the value it was given.
 */
import {
  ConfigError,
  PRESET_NAMES,
  resolveConfig,
  SCHEDULE_NAMES,
  showValue,
  type TrainConfig,
  type TrainConfigInput,
} from "@resnet-ts/trainer";
import { type Command, Option } from "commander";
import { UsageError } from "./output.js";

export const flagName = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Adds the flags that set training hyperparameters to `cmd`. */
export function addConfigFlags(cmd: Command): Command {
  return cmd
    .option(
      "--preset <name>",
      `${PRESET_NAMES.join(", ")}: quick (a short run that shows learning in minutes), d2l (10 epochs at ` +
        "96x96), fast (half width, momentum, one-cycle, label smoothing, flip TTA: 0.93 at 28x28 within 15 minutes)",
    )
    .option("--epochs <n>", "passes over the training set (default 1)")
    .option("--steps <n>", "stop after this many optimizer steps in total")
    .option("--batch-size <n>", "examples per optimizer step (default 256)")
    .option("--lr <f>", "learning rate (default 0.05)")
    .option("--momentum <f>", "SGD momentum (default 0)")
    .option("--dampening <f>", "SGD momentum dampening (default 0)")
    .option("--weight-decay <f>", "L2 penalty, as PyTorch's weight_decay (default 0)")
    .option("--nesterov", "Nesterov momentum (needs --momentum > 0 and --dampening 0)")
    .option(
      "--schedule <name>",
      `learning-rate schedule: ${SCHEDULE_NAMES.join(", ")} (default constant); step is StepLR per epoch, ` +
        "cosine is CosineAnnealingLR per step, onecycle is OneCycleLR per step with --lr as its peak " +
        "(momentum not cycled)",
    )
    .option("--step-size <n>", "step schedule: epochs between decays (default 1)")
    .option("--gamma <f>", "step schedule: decay factor (default 0.1)")
    .option("--eta-min <f>", "cosine schedule: final learning rate (default 0)")
    .option(
      "--pct-start <f>",
      "onecycle schedule: fraction of the steps spent raising the rate (default 0.3)",
    )
    .option("--div-factor <f>", "onecycle schedule: start at lr / this (default 25)")
    .option("--final-div-factor <f>", "onecycle schedule: end at lr / (div-factor x this) (default 1e4)")
    .option(
      "--warmup-epochs <f>",
      "linear warm-up before the schedule, in epochs (fractions allowed), as LinearLR + SequentialLR (default 0)",
    )
    .option("--warmup-start-factor <f>", "warm-up's first rate as a fraction of --lr (default 1/3)")
    .option(
      "--label-smoothing <f>",
      "training loss label smoothing in [0, 1], as CrossEntropyLoss(label_smoothing) (default 0)",
    )
    .option("--resize <n>", "resize images to NxN, bilinear as PyTorch (d2l uses 96; default: keep 28)")
    .option("--train-limit <n>", "train on the first N training examples (file order)")
    .option("--test-limit <n>", "evaluate on the first N test examples (file order)")
    .option("--no-shuffle", "batches in file order (default: reshuffled each epoch, seeded)")
    .option("--seed <n>", "seed of the initialisation and the shuffles (default 0)")
    .option("--init-scheme <name>", "weight init: xavier (d2l, default) or default (PyTorch's per-layer)")
    .option(
      "--arrangement <name>",
      "residual arrangement (He et al. 2016): original (d2l), bn-after-add, relu-before-add, relu-preact, full-preact",
    )
    .addOption(new Option("--block <name>", "deprecated: the old name of --arrangement").hideHelp())
    .option("--plain", "no shortcuts: the same layers as a plain net")
    .option(
      "--width <f>",
      "d2l-resnet18: stage widths as a multiple of 64/128/256/512 (default 1; 0.5 is about 4x fewer multiply-adds)",
    )
    .option(
      "--model <name>",
      "architecture: d2l-resnet18 (default) or torchvision's resnet18, resnet34, resnet50 (torchvision's keys)",
    )
    .option("--small-stem", "torchvision models: 3x3 stride-1 conv1 and no max pool, for small images")
    .option("--zero-init-residual", "torchvision models: zero each block's last BN weight")
    .option(
      "--freeze <parts>",
      "frozen parameters (no gradient, no update): none (default), backbone (all but the head), stem, layers:N",
    )
    .option("--freeze-bn", "keep the BatchNorm layers of frozen parts in eval mode (statistics fixed)")
    .option("--head-lr-mult <f>", "learning-rate multiplier for the classifier head (default 1)")
    .option(
      "--augment <name>",
      "training augmentation: none, flip, crop (RandomCrop, padding S/8, + flip) or resized-crop (RandomResizedCrop + flip); default: crop for class folders and CIFAR-10 up to 64 px, resized-crop above, none for Fashion-MNIST/IDX",
    )
    .option(
      "--random-erasing <p>",
      "training: RandomErasing(p) per image after Normalize (a rectangle of 2-33% of the image set to 0; default 0: off)",
    )
    .option(
      "--normalize <name>",
      "per-channel Normalize: none, dataset (the training split's mean/std) or imagenet; default: dataset for class folders and CIFAR-10, none for Fashion-MNIST/IDX",
    )
    .option("--no-eval", "skip the test-set evaluation after each epoch")
    .option(
      "--tta <name>",
      "test-time augmentation of the evaluation: none (default) or flip (mean logits of each image and its mirror)",
    );
}

const numeric = [
  "headLrMult",
  "width",
  "epochs",
  "steps",
  "batchSize",
  "lr",
  "momentum",
  "dampening",
  "weightDecay",
  "stepSize",
  "gamma",
  "etaMin",
  "pctStart",
  "divFactor",
  "finalDivFactor",
  "warmupEpochs",
  "warmupStartFactor",
  "labelSmoothing",
  "randomErasing",
  "resize",
  "trainLimit",
  "testLimit",
  "seed",
] as const;

/**
 * The config fields the user gave explicitly (undefined: not given). A deprecated flag (`--block`, now
 * `--arrangement`) still works, with a one-line warning on stderr.
 */
export function configInput(raw: Record<string, unknown>, cmd: Command): TrainConfigInput {
  const given = (key: string) => cmd.getOptionValueSource(key) === "cli";
  const input: Record<string, unknown> = {};
  for (const key of numeric) if (given(key)) input[key] = toNumber(raw[key]);
  if (given("preset")) input.preset = raw.preset;
  if (given("schedule")) input.schedule = raw.schedule;
  if (given("augment")) input.augment = raw.augment;
  if (given("normalize")) input.normalize = raw.normalize;
  if (given("nesterov")) input.nesterov = true;
  if (given("shuffle")) input.shuffle = raw.shuffle;
  if (given("eval")) input.eval = raw.eval;
  if (given("tta")) input.tta = raw.tta;
  if (given("initScheme")) input.init = raw.initScheme;
  if (given("block")) {
    if (given("arrangement")) {
      throw new UsageError("--block is the deprecated name of --arrangement: give --arrangement only");
    }
    process.stderr.write("warning: --block is deprecated, use --arrangement\n");
    input.arrangement = raw.block;
  }
  if (given("arrangement")) input.arrangement = raw.arrangement;
  if (given("plain")) input.plain = true;
  if (given("model")) input.model = raw.model;
  if (given("smallStem")) input.smallStem = true;
  if (given("zeroInitResidual")) input.zeroInitResidual = true;
  if (given("freeze")) input.freeze = raw.freeze;
  if (given("freezeBn")) input.freezeBn = true;
  if (given("backend")) input.backend = raw.backend;
  return input as TrainConfigInput;
}

/** resolveConfig with errors that name flags instead of config fields. */
export function resolveFlags(input: TrainConfigInput, base: Partial<TrainConfig> = {}): TrainConfig {
  try {
    return resolveConfig({ ...base, ...input });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const rename: Record<string, string> = { init: "initScheme" };
    throw new UsageError(
      error.issues
        .map((i) => {
          const field = rename[i.field] ?? i.field;
          const value = (input as Record<string, unknown>)[i.field];
          return `${flagName(field)}: ${i.message}${value !== undefined ? ` (got ${showValue(value)})` : ""}`;
        })
        .join("; "),
    );
  }
}

function toNumber(v: unknown): number | unknown {
  if (typeof v !== "string" || v.trim() === "") return v;
  const n = Number(v);
  return Number.isNaN(n) ? v : n;
}
