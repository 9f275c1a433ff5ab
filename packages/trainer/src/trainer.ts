/**
 * The training loop. Each optimizer step runs inside `tidy`: forward in train mode, cross-entropy
 * (label-smoothed when the config says so; BatchEndEvent.loss is that loss),
 * backward, SGD step, gradients dropped; then the loss and the logits are read back asynchronously, so that a
 * backend whose reads are asynchronous (gpu.js on WebGPU) trains too. Progress is kept as counts plus the epoch's shuffle seed, which
 * derives from (seed, epoch); resuming redraws the epoch's order and skips the batches already done, so a
 * resumed run repeats the uninterrupted run's losses exactly. The loop is async and yields to the event
 * loop between batches, so it runs in a browser Web Worker and a UI can pause it (`stop()`, AbortSignal).
 */
import {
  type Batch,
  type BatchLoader,
  batches,
  type DataSplits,
  type Dataset,
  type Normalization,
  numBatches,
  resolveNormalization,
  takeFirst,
} from "@resnet-ts/data";
import type { Module } from "@resnet-ts/layers";
import { Rng, tidy } from "@resnet-ts/tensor";
import { parseConfig, type TrainConfig } from "./config.js";
import { type EvalResult, evaluate } from "./evaluate.js";
import { Emitter, type Listener } from "./events.js";
import { batchLabels, countMatches, crossEntropy, readLossAndPredictions } from "./metrics.js";
import { applyFreeze, type FrozenParts, trainMode } from "./freeze.js";
import { headName } from "./pretrained.js";
import { epochShuffleSeed } from "./sampling.js";
import { learningRate } from "./schedule.js";
import { SGD, type SgdStateDict } from "./sgd.js";
import { yieldToEventLoop } from "./yield.js";

/** Where a run stands, in counts; everything a resumed run needs besides the weights and the optimizer. */
export interface TrainProgress {
  /** Epochs finished (the 0-based index of the epoch in progress). */
  epochsDone: number;
  /** Optimizer steps done in the epoch in progress. */
  stepsInEpoch: number;
  /** Optimizer steps done in total. */
  globalStep: number;
  /** Seed of the epoch in progress's shuffle: `epochShuffleSeed(config.seed, epochsDone)`. */
  shuffleSeed: number;
  /** Batches per epoch and training examples when the progress was recorded (checked on resume). */
  stepsPerEpoch: number;
  trainExamples: number;
  /** Sums over the epoch in progress, so that its averages survive a resume. */
  epochLossSum: number;
  epochCorrect: number;
  epochExamples: number;
}

/** What `--resume` needs beside the weights. */
export interface TrainingState {
  progress: TrainProgress;
  optimizer: SgdStateDict;
}

export interface BatchEndEvent {
  /** 1-based epoch number. */
  epoch: number;
  /** Optimizer steps done in total, this one included (1-based step number). */
  step: number;
  /** Steps done in this epoch, this one included. */
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** Steps the run will take: epochs x stepsPerEpoch, or the `steps` cap when smaller. */
  totalSteps: number;
  batchSize: number;
  /** This batch's mean loss and accuracy. */
  loss: number;
  accuracy: number;
  /** The epoch's means so far. */
  runningLoss: number;
  runningAccuracy: number;
  /** Training throughput of this epoch so far (this session; evaluation excluded). */
  imagesPerSecond: number;
  /** The learning rate this step used. */
  lr: number;
}

export interface EpochEndEvent {
  /** 1-based epoch number. */
  epoch: number;
  /** True when the `steps` cap ended the run inside this epoch. */
  partial: boolean;
  step: number;
  /** The epoch's mean training loss and accuracy (over the batches it trained on). */
  loss: number;
  trainAccuracy: number;
  /** Null when `config.eval` is false. */
  testLoss: number | null;
  testAccuracy: number | null;
  imagesPerSecond: number;
  /** Wall time of the epoch in this session, evaluation included. */
  seconds: number;
  evaluation: EvalResult | null;
}

export type EndReason = "completed" | "steps" | "stopped";

export interface EndEvent {
  /** All epochs done, the `steps` cap reached, or `stop()` / the signal. */
  reason: EndReason;
  epochsDone: number;
  globalStep: number;
  lastEpoch: EpochEndEvent | null;
  seconds: number;
}

export interface TrainerEvents {
  batchEnd: BatchEndEvent;
  epochEnd: EpochEndEvent;
  end: EndEvent;
}

export interface TrainerOptions {
  /** Defaults to `new SGD(model.parameters(), config's hyperparameters)`. */
  optimizer?: SGD;
  /** State saved by an earlier run of the same configuration, to continue it. */
  resume?: TrainingState;
  /** Aborting stops the run between steps (or during evaluation), like `stop()`. */
  signal?: AbortSignal;
  /** Yield to the event loop every this many batches (0: never; default 1). */
  yieldEvery?: number;
  /** What builds the training batches (default: `batches`, on this thread; e.g. a WorkerLoader's `load`). */
  loader?: BatchLoader;
  /** Ask the per-epoch evaluation for predictions and the confusion matrix. */
  evaluation?: { predictions?: boolean; confusion?: boolean };
}

/**
 * The loss went NaN or infinite at `step`. The loss is read after its step was queued, so that step's
 * update was applied (nothing after it ran, and it is not counted in the progress): the weights in
 * memory are not trustworthy (keep the last checkpoint).
 */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(
      `Training stopped: the loss is ${loss} at step ${step} (epoch ${epoch}); the weights in memory are no longer ` +
        "trustworthy (a smaller lr may help)",
    );
    this.name = "NonFiniteLossError";
  }
}

const now = () => performance.now();

export class Trainer {
  readonly model: Module;
  readonly config: TrainConfig;
  readonly optimizer: SGD;
  /** The training and test sets after `trainLimit` / `testLimit`. */
  readonly trainSet: Dataset;
  readonly testSet: Dataset;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** The per-channel normalisation `config.normalize` gives on the training set (null: none). */
  readonly normalization: Normalization | null;
  /**
   * Examples left out of each epoch: 1 when the last batch would hold a single example (BatchNorm in
   * training mode needs more than one value per channel; PyTorch users drop it with `drop_last`), else 0.
   */
  readonly droppedPerEpoch: number;
  readonly #events = new Emitter<TrainerEvents>();
  readonly #options: TrainerOptions;
  #progress: TrainProgress;
  #stopper: AbortController | null = null;
  /** What `config.freeze` froze (no gradient, no update; with freezeBn, BN kept in eval mode). */
  readonly frozen: FrozenParts;

  constructor(model: Module, data: DataSplits, config: TrainConfig, options: TrainerOptions = {}) {
    this.model = model;
    this.config = parseConfig(config);
    const c = this.config;
    this.#options = options;
    this.trainSet = c.trainLimit === null ? data.train : takeFirst(data.train, c.trainLimit);
    this.testSet = c.testLimit === null ? data.test : takeFirst(data.test, c.testLimit);
    if (this.trainSet.count === 0) throw new Error("Trainer: the training set is empty");
    this.normalization = resolveNormalization(c.normalize, this.trainSet);
    if (this.trainSet.count === 1) {
      throw new Error(
        "Trainer: the training set has 1 example; BatchNorm in training mode needs batches of at least 2",
      );
    }
    this.droppedPerEpoch = this.trainSet.count % c.batchSize === 1 ? 1 : 0;
    this.stepsPerEpoch = numBatches(this.trainSet, {
      batchSize: c.batchSize,
      dropLast: this.droppedPerEpoch > 0,
    });
    this.totalSteps = Math.min(c.steps ?? Infinity, c.epochs * this.stepsPerEpoch);
    this.frozen = applyFreeze(model, c.freeze);
    if (this.frozen.trainableParameters === 0)
      throw new Error("Trainer: freeze leaves no parameter to train");
    // The head's parameters at headLrMult times the scheduled rate (PyTorch's parameter group with its own lr).
    const head = `${headName(model)}.`;
    const lrScales = model.namedParameters().map(([name]) => (name.startsWith(head) ? c.headLrMult : 1));
    this.optimizer =
      options.optimizer ??
      new SGD(
        model.parameters(),
        {
          lr: c.lr,
          momentum: c.momentum,
          dampening: c.dampening,
          weightDecay: c.weightDecay,
          nesterov: c.nesterov,
        },
        c.headLrMult === 1 ? {} : { lrScales },
      );
    this.#progress = {
      epochsDone: 0,
      stepsInEpoch: 0,
      globalStep: 0,
      shuffleSeed: epochShuffleSeed(c.seed, 0),
      stepsPerEpoch: this.stepsPerEpoch,
      trainExamples: this.trainSet.count,
      epochLossSum: 0,
      epochCorrect: 0,
      epochExamples: 0,
    };
    if (options.resume) {
      this.#checkResume(options.resume.progress);
      this.optimizer.loadStateDict(options.resume.optimizer);
      this.#progress = { ...options.resume.progress };
    }
  }

  /** Subscribes to `batchEnd`, `epochEnd` or `end`; a listener may return a promise, which the loop awaits. */
  on<K extends keyof TrainerEvents>(name: K, listener: Listener<TrainerEvents[K]>): () => void {
    return this.#events.on(name, listener);
  }

  get progress(): TrainProgress {
    return { ...this.#progress };
  }

  /** Progress and optimizer state, for a checkpoint that `--resume` continues from. */
  state(): TrainingState {
    return { progress: this.progress, optimizer: this.optimizer.stateDict() };
  }

  get running(): boolean {
    return this.#stopper !== null;
  }

  /** Asks a running `run()` to return after the current step (or to abandon the evaluation in progress). */
  stop(): void {
    this.#stopper?.abort();
  }

  /**
   * Trains until every epoch is done, the `steps` cap is reached, or `stop()` / the signal. Can be called
   * again after a stop to continue. Rejects with NonFiniteLossError when the loss is NaN or infinite.
   */
  async run(): Promise<EndEvent> {
    if (this.#stopper) throw new Error("Trainer.run: the trainer is already running");
    const stopper = new AbortController();
    this.#stopper = stopper;
    const { signal } = this.#options;
    const onAbort = () => stopper.abort();
    if (signal?.aborted) stopper.abort();
    signal?.addEventListener("abort", onAbort);
    const started = now();
    let reason: EndReason = "completed";
    let lastEpoch: EpochEndEvent | null = null;
    try {
      const p = this.#progress;
      while (p.epochsDone < this.config.epochs) {
        if (p.globalStep >= this.totalSteps && p.stepsInEpoch < this.stepsPerEpoch) {
          reason = "steps";
          break;
        }
        const epoch = await this.#runEpoch(stopper.signal);
        if (epoch === "stopped") {
          reason = "stopped";
          break;
        }
        lastEpoch = epoch;
        if (epoch.partial) {
          reason = "steps";
          break;
        }
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#stopper = null;
    }
    const end: EndEvent = {
      reason,
      epochsDone: this.#progress.epochsDone,
      globalStep: this.#progress.globalStep,
      lastEpoch,
      seconds: (now() - started) / 1000,
    };
    await this.#events.emit("end", end);
    return end;
  }

  /** Trains the rest of the epoch in progress and evaluates; "stopped" when stopped first. */
  async #runEpoch(stop: AbortSignal): Promise<EpochEndEvent | "stopped"> {
    const p = this.#progress;
    const c = this.config;
    const started = now();
    let examples = 0;
    let trainSeconds = 0;
    let capped = false;
    const stream = (this.#options.loader ?? batches)(this.trainSet, {
      batchSize: c.batchSize,
      shuffle: c.shuffle,
      rng: new Rng(p.shuffleSeed),
      resize: c.resize ?? undefined,
      augment: c.augment,
      erasing: c.randomErasing,
      normalization: this.normalization,
      start: p.stepsInEpoch,
      dropLast: this.droppedPerEpoch > 0,
    });
    try {
      trainMode(this.model, this.frozen, c.freezeBn);
      while (p.stepsInEpoch < this.stepsPerEpoch) {
        if (stop.aborted) return "stopped";
        if (p.globalStep >= this.totalSteps) {
          capped = true;
          break;
        }
        const t0 = now();
        const next = await stream.next();
        if (next.done) throw new Error("Trainer: the batch stream ended before the epoch's last step");
        const batch = next.value;
        const lr = learningRate(c, {
          epoch: p.epochsDone,
          step: p.globalStep,
          totalSteps: this.totalSteps,
          stepsPerEpoch: this.stepsPerEpoch,
        });
        let result: { loss: number; correct: number };
        try {
          result = await this.#step(batch, lr);
        } finally {
          disposeBatch(batch);
        }
        if (!Number.isFinite(result.loss)) {
          throw new NonFiniteLossError(p.globalStep + 1, p.epochsDone + 1, result.loss);
        }
        p.globalStep++;
        p.stepsInEpoch++;
        p.epochLossSum += result.loss * batch.size;
        p.epochCorrect += result.correct;
        p.epochExamples += batch.size;
        examples += batch.size;
        trainSeconds += (now() - t0) / 1000;
        await this.#events.emit("batchEnd", {
          epoch: p.epochsDone + 1,
          step: p.globalStep,
          stepInEpoch: p.stepsInEpoch,
          stepsPerEpoch: this.stepsPerEpoch,
          totalSteps: this.totalSteps,
          batchSize: batch.size,
          loss: result.loss,
          accuracy: result.correct / batch.size,
          runningLoss: p.epochLossSum / p.epochExamples,
          runningAccuracy: p.epochCorrect / p.epochExamples,
          imagesPerSecond: examples / trainSeconds,
          lr,
        });
        const every = this.#options.yieldEvery ?? 1;
        if (every > 0 && p.globalStep % every === 0) await yieldToEventLoop();
      }
    } finally {
      await stream.return?.(undefined);
    }
    let evaluation: EvalResult | null = null;
    if (c.eval) {
      try {
        evaluation = await evaluate(this.model, this.testSet, {
          batchSize: c.batchSize,
          resize: c.resize,
          normalization: this.normalization,
          yieldEvery: this.#options.yieldEvery ?? 1,
          signal: stop,
          tta: c.tta,
          ...this.#options.evaluation,
        });
      } catch (error) {
        if (stop.aborted) return "stopped";
        throw error;
      }
    }
    const event: EpochEndEvent = {
      epoch: p.epochsDone + 1,
      partial: capped,
      step: p.globalStep,
      loss: p.epochExamples ? p.epochLossSum / p.epochExamples : Number.NaN,
      trainAccuracy: p.epochExamples ? p.epochCorrect / p.epochExamples : Number.NaN,
      testLoss: evaluation?.loss ?? null,
      testAccuracy: evaluation?.accuracy ?? null,
      imagesPerSecond: trainSeconds > 0 ? examples / trainSeconds : Number.NaN,
      seconds: (now() - started) / 1000,
      evaluation,
    };
    // A finished epoch's progress is the next epoch's start, so that a checkpoint written by an epochEnd
    // listener resumes there (not at the finished epoch's end, which would repeat its evaluation).
    if (!capped) {
      p.epochsDone++;
      p.stepsInEpoch = 0;
      p.shuffleSeed = epochShuffleSeed(c.seed, p.epochsDone);
      p.epochLossSum = 0;
      p.epochCorrect = 0;
      p.epochExamples = 0;
    }
    await this.#events.emit("epochEnd", event);
    return event;
  }

  /**
   * One optimizer step: forward, loss, backward and the SGD update are queued on the device, then the
   * loss and the logits are read back asynchronously (one read each; the labels are the batch's host
   * data). A backend that runs kernels asynchronously (gpu.js on WebGPU) keeps working on the backward
   * pass and the update while the values travel, and nothing waits on a synchronous read. So a
   * non-finite loss is seen after its own update was applied: the caller stops there, before the next
   * step, without counting this one (the weights in memory are then not trustworthy).
   */
  async #step(batch: Batch, lr: number): Promise<{ loss: number; correct: number }> {
    this.optimizer.lr = lr;
    const { lossTensor, logits } = tidy(() => {
      const logits = this.model.call(batch.images);
      const lossTensor = crossEntropy(logits, batch.labels, this.config.labelSmoothing);
      lossTensor.backward();
      this.optimizer.step();
      this.optimizer.zeroGrad();
      return { lossTensor, logits };
    });
    const { loss, predicted } = await readLossAndPredictions(lossTensor, logits);
    return { loss, correct: countMatches(predicted, batchLabels(this.trainSet.labels, batch.indices)) };
  }

  #checkResume(saved: TrainProgress): void {
    const fail = (what: string): never => {
      throw new Error(`Trainer: cannot resume: ${what}`);
    };
    for (const key of Object.keys(this.#progress) as (keyof TrainProgress)[]) {
      if (typeof saved[key] !== "number" || !Number.isFinite(saved[key]))
        fail(`progress.${key} is ${saved[key]}`);
    }
    if (saved.stepsPerEpoch !== this.stepsPerEpoch || saved.trainExamples !== this.trainSet.count) {
      fail(
        `the saved run had ${saved.trainExamples} training examples in ${saved.stepsPerEpoch} steps per epoch, ` +
          `this configuration gives ${this.trainSet.count} in ${this.stepsPerEpoch} (batchSize or trainLimit changed)`,
      );
    }
    if (saved.stepsInEpoch > this.stepsPerEpoch) {
      fail(
        `progress (step ${saved.stepsInEpoch} of epoch ${saved.epochsDone + 1}) is outside its ${this.stepsPerEpoch} steps`,
      );
    }
    if (saved.epochsDone > this.config.epochs) {
      fail(
        `this run already did ${saved.epochsDone} epochs, more than the ${this.config.epochs} configured; ` +
          `ask for more than ${saved.epochsDone} epochs to continue it`,
      );
    }
  }
}

function disposeBatch(batch: Batch | undefined): void {
  batch?.images.dispose();
  batch?.labels.dispose();
}

/** Creates a Trainer, subscribes the given listeners and runs it. */
export function train(
  model: Module,
  data: DataSplits,
  config: TrainConfig,
  options: TrainerOptions & { on?: { [K in keyof TrainerEvents]?: Listener<TrainerEvents[K]> } } = {},
): Promise<EndEvent> {
  const trainer = new Trainer(model, data, config, options);
  for (const [name, listener] of Object.entries(options.on ?? {})) {
    if (listener)
      trainer.on(name as keyof TrainerEvents, listener as Listener<TrainerEvents[keyof TrainerEvents]>);
  }
  return trainer.run();
}
