/**
 * The worker's state and actions: the model (kept between runs, so an uploaded or trained model can be
 * evaluated or trained further), the active backend, the trainer of the run in progress and its
 * pause/stop control. Every result goes back to the page through `post`.
 */
import {
  CLASS_NAMES,
  type Channels,
  type DataSplits,
  type Dataset,
  type Preprocessing,
  preprocessingOf,
  takeFirst,
} from "@resnet-ts/data";
import { formatSummary, type Module, summary } from "@resnet-ts/layers";
import {
  batchMemoryError,
  createModel,
  DEFAULT_CONFIG,
  dataDefaults,
  describeFrozen,
  type EvalResult,
  evaluate,
  loadWeightsFile,
  type ModelConfig,
  matchKnownModel,
  parseConfig,
  readWeights,
  type TrainConfig,
  Trainer,
  type TrainProgress,
  type WeightsFile,
} from "@resnet-ts/trainer";
import type {
  AutoSettings,
  CompareSettings,
  DataChoice,
  EvalReport,
  FromWorker,
  ImagesRequest,
  RunState,
  SampleGrid,
} from "../protocol.js";
import { activateBackend, type BackendProbe, probeBackends } from "./backend-choice.js";
import { fastestOf, timeBackends, timingCandidates } from "./backend-timing.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { nameOf, trainVariant } from "./compare.js";
import { loadData, loadImages } from "./data-source.js";

/** Test images shown in the page's grid. */
const GRID_SIZE = 24;

export type Post = (message: FromWorker, transfer?: Transferable[]) => void;

export class Session {
  readonly #post: Post;
  #model: Module | null = null;
  /** What the model was built from: rebuilding it (on another backend) needs the same architecture. */
  #modelSpec: ModelConfig | null = null;
  /** The last pretrained weights file read (`load-pretrained`), to fine-tune from at the next start. */
  #pretrained: { name: string; file: WeightsFile } | null = null;
  #modelNote = "";
  /** The data the model was built for (or, for an uploaded model, what its file says). */
  #modelData: ModelData = FASHION_MNIST;
  /** What the current model's data went through, as its checkpoint records it (metadata `preprocessing`). */
  #preprocessing: Preprocessing | null = null;
  #backend: string | null = null;
  #recommended: string | null = null;
  #probe: BackendProbe | null = null;
  #forceTiming = false;
  /** Measured choices by model, channels, side and batch. */
  readonly #timed = new Map<string, string>();
  #trainer: Trainer | null = null;
  #pause: { promise: Promise<void>; release: () => void } | null = null;
  #busy = false;
  #lastConfig: TrainConfig | null = null;
  #lastProgress: TrainProgress | null = null;
  #testAccuracy: number | null = null;
  #step = 0;
  #compareStopped = false;
  #imagesLoading = false;
  /** The validation fraction the user's images were split with. */
  #valFraction = 0.1;
  #nextImages: ImagesRequest | null = null;

  constructor(post: Post) {
    this.#post = post;
  }

  async probe(measureBackends = this.#forceTiming): Promise<void> {
    this.#forceTiming = measureBackends;
    this.#probe = await probeBackends();
    const { options, recommended } = this.#probe;
    this.#recommended = recommended;
    this.#post({ type: "backends", options, recommended });
  }

  #state(state: RunState, message = ""): void {
    this.#post({ type: "state", state, message });
  }

  /** Runs `action` unless another one runs; reports its error on the page. */
  async #exclusive(what: string, action: () => Promise<void>): Promise<void> {
    if (this.#busy) {
      this.#post({ type: "error", message: `${what}: the worker is busy; stop the current run first` });
      return;
    }
    this.#busy = true;
    try {
      await action();
    } catch (error) {
      this.#post({ type: "error", message: `${what}: ${(error as Error).message}` });
      this.#state("failed", (error as Error).message);
    } finally {
      this.#busy = false;
      this.#trainer = null;
      this.#pause = null;
    }
  }

  /** Activates the configured backend; a model built on another backend is moved over by its state dict. */
  async #useBackend(backend: string | null): Promise<void> {
    if (!this.#recommended) await this.probe();
    const wanted = backend ?? this.#recommended!;
    if (wanted === this.#backend) return;
    const state = await this.#model?.readStateDict();
    const { name, failures } = await activateBackend(wanted, [this.#recommended!, "wasm", "cpu"]);
    if (failures.length) this.#post({ type: "error", message: `backend fallback: ${failures.join("; ")}` });
    this.#backend = name;
    if (state && this.#model && this.#modelSpec) {
      const old = this.#model;
      this.#model = createModel(this.#modelSpec, {
        inChannels: this.#modelData.channels,
        numClasses: this.#modelData.classNames.length,
      });
      this.#model.loadStateDict(state);
      for (const t of [...old.parameters(), ...old.buffers()]) t.dispose();
    }
    this.#post({ type: "backend", name });
  }

  /**
   * The automatic backend, measured (backend-timing.ts): the fastest of the candidates at this run's
   * model, image size and batch, timed once per combination; null when there is nothing to time.
   */
  async #measuredChoice(c: TrainConfig, splits: DataSplits): Promise<string | null> {
    if (!this.#probe) await this.probe();
    const names = timingCandidates(this.#probe!, this.#forceTiming);
    if (names.length === 0) return null;
    const side = c.resize ?? splits.train.rows;
    const key = `${c.model}|${splits.channels}|${side}|${c.batchSize}`;
    const known = this.#timed.get(key);
    if (known) return known;
    this.#state("loading", `timing ${names.join(", ")} at ${side}x${side}, batch ${c.batchSize}`);
    const numClasses = splits.classNames.length;
    const timings = await timeBackends(names, {
      batchSize: c.batchSize,
      channels: splits.channels,
      side,
      classes: numClasses,
      build: () => createModel(c, { inChannels: splits.channels, numClasses }),
    });
    const chosen = fastestOf(timings) ?? this.#recommended!;
    this.#timed.set(key, chosen);
    this.#post({ type: "backend-timings", side, batchSize: c.batchSize, timings, chosen });
    return chosen;
  }

  /**
   * A fresh model for `splits` (its channels and classes), fine-tuned from the pretrained weights when
   * `pretrained` (their notes go to the page; weights that do not fit leave the current model as it was),
   * or the current one when it fits them.
   */
  #ensureModel(config: TrainConfig, fresh: boolean, splits: DataSplits, pretrained: boolean): Module {
    const data: ModelData = {
      channels: splits.channels,
      classNames: [...splits.classNames],
      imageSize: splits.train.rows,
    };
    if (fresh || !this.#model) {
      const model = createModel(config, { inChannels: data.channels, numClasses: data.classNames.length });
      let origin = `seed ${config.seed}, ${config.init} init`;
      if (pretrained) {
        if (!this.#pretrained) throw new Error("upload the pretrained weights first (.pth or .safetensors)");
        const { name, file } = this.#pretrained;
        const loaded = loadWeightsFile(model, file, { fileName: name, modelName: config.model });
        this.#post({ type: "pretrained-notes", lines: [loaded.line, ...loaded.notes] });
        origin = `fine-tuned from ${name}`;
      }
      this.#model = model;
      this.#modelSpec = config;
      this.#modelData = data;
      this.#testAccuracy = null;
      this.#modelNote = `new model: ${architecture(config)} (${origin})`;
    } else {
      const have = this.#modelData;
      if (have.channels !== data.channels || have.classNames.length !== data.classNames.length) {
        throw new Error(
          `the loaded model takes ${have.channels}-channel images of ${have.classNames.length} classes, ` +
            `the data (${splits.source}) has ${data.channels} channel(s) and ${data.classNames.length} classes; ` +
            "untick 'continue from the loaded model' to train a new one",
        );
      }
      this.#modelData = { ...have, imageSize: data.imageSize, classNames: data.classNames };
    }
    const side = config.resize ?? splits.train.rows;
    this.#post({
      type: "summary",
      text: `${this.#modelNote}\n${formatSummary(summary(this.#model, [1, data.channels, side, side]))}`,
    });
    return this.#model;
  }

  /** Decodes the user's images; the page shows their classes, counts and samples before training. */
  loadImages(request: ImagesRequest): Promise<void> {
    // A newer pick (or new settings) while one loads: decoded next, after the current one.
    if (this.#imagesLoading) {
      this.#nextImages = request;
      return Promise.resolve();
    }
    if (this.#busy) {
      const message = `${request.source}: the worker is busy with a run; stop it first, then pick the images again`;
      this.#post({ type: "images-failed", key: request.key, message });
      return Promise.resolve();
    }
    this.#imagesLoading = true;
    return this.#loadImagesNow(request).finally(() => {
      this.#imagesLoading = false;
      const next = this.#nextImages;
      this.#nextImages = null;
      if (next) void this.loadImages(next);
    });
  }

  #loadImagesNow(request: ImagesRequest): Promise<void> {
    return this.#exclusive("your images", async () => {
      this.#state("loading", `decoding ${request.source}`);
      let last = 0;
      try {
        const report = await loadImages(request, (done, total) => {
          const now = performance.now();
          if (done === total || now - last > 100) {
            last = now;
            this.#post({ type: "images-progress", key: request.key, done, total });
          }
        });
        this.#valFraction = request.valFraction;
        this.#post({ type: "images-loaded", report }, [report.samples.pixels.buffer as ArrayBuffer]);
        this.#state("idle", report.line);
      } catch (error) {
        // Shown beside the folder picker; nothing else changed (the last data and model are as they were).
        this.#post({ type: "images-failed", key: request.key, message: (error as Error).message });
        this.#state("idle", "your images did not load");
      }
    });
  }

  start(
    config: TrainConfig,
    data: DataChoice,
    fromLoaded: boolean,
    pretrained: boolean,
    auto: AutoSettings,
  ): Promise<void> {
    return this.#exclusive("training", async () => {
      if (fromLoaded && pretrained) {
        throw new Error(
          "'start from the current model' and 'fine-tune from the pretrained weights' exclude each other: " +
            "fine-tuning starts a new model from those weights",
        );
      }
      const given = forData(parseConfig(config), data);
      this.#state("loading", "loading the data");
      const splits = firstN(await loadData(data), given);
      const c = withAuto(given, auto, splits);
      this.#state("loading", "starting the backend");
      await this.#useBackend(c.backend ?? (await this.#measuredChoice(c, splits)));
      const model = this.#ensureModel(c, !fromLoaded, splits, pretrained);
      // As the CLI: a batch that cannot fit the WebAssembly heap fails before the first step.
      const tooBig = batchMemoryError(model, c, splits.channels, splits.train.rows, splits.train.cols);
      if (tooBig) throw new Error(`batch size: ${tooBig}`);
      const trainer = new Trainer(model, splits, c, {
        evaluation: { predictions: true, confusion: true },
      });
      // What training used (the Trainer's mean/std of the training split for `dataset`), as the CLI records it.
      this.#preprocessing = {
        ...preprocessingOf(splits, c.normalize, trainer.normalization),
        ...(data.kind === "images" ? { valFraction: this.#valFraction } : {}),
      };
      this.#trainer = trainer;
      const frozen = describeFrozen(trainer.frozen, c.freeze, c.freezeBn);
      if (frozen) this.#post({ type: "pretrained-notes", lines: [frozen] });
      // A model trained further keeps its own architecture, whatever the form says; its checkpoint says so.
      const spec = this.#modelSpec ?? c;
      this.#lastConfig = {
        ...c,
        arrangement: spec.arrangement,
        plain: spec.plain,
        model: spec.model ?? c.model,
        smallStem: spec.smallStem ?? c.smallStem,
        zeroInitResidual: spec.zeroInitResidual ?? c.zeroInitResidual,
        width: spec.width ?? c.width,
      };
      const grid = gridIndices(trainer.testSet);
      this.#postGrid(trainer.testSet, grid, splits, data);
      trainer.on("batchEnd", async (e) => {
        this.#step = e.step;
        this.#post({
          type: "batch",
          step: e.step,
          epoch: e.epoch,
          loss: e.loss,
          accuracy: e.accuracy,
          imagesPerSec: e.imagesPerSecond,
          lr: e.lr,
        });
        if (this.#pause) {
          this.#state("paused", `paused after step ${e.step}`);
          await this.#pause.promise;
          if (this.#trainer?.running) this.#state("training", `epoch ${e.epoch}`);
        }
        const epochEnds = e.stepInEpoch === e.stepsPerEpoch || e.step === e.totalSteps;
        if (epochEnds && c.eval)
          this.#state("evaluating", `testing epoch ${e.epoch} on ${trainer.testSet.count} examples`);
      });
      trainer.on("epochEnd", (e) => {
        this.#testAccuracy = e.testAccuracy;
        this.#post({
          type: "epoch",
          epoch: e.epoch,
          trainLoss: e.loss,
          trainAccuracy: e.trainAccuracy,
          eval: e.evaluation ? report(e.evaluation, grid) : null,
        });
        if (!e.partial) this.#state("training", `epoch ${e.epoch + 1}`);
      });
      this.#state(
        "training",
        `epoch 1 of ${c.epochs}, ${trainer.totalSteps} steps, augment ${c.augment}, normalize ${c.normalize}`,
      );
      const end = await trainer.run().finally(() => {
        this.#lastProgress = trainer.progress;
      });
      const how = { completed: "all epochs done", steps: "step limit reached", stopped: "stopped" }[
        end.reason
      ];
      this.#state(end.reason === "stopped" ? "stopped" : "done", `${how} after ${end.globalStep} steps`);
    });
  }

  pause(): void {
    if (!this.#trainer?.running || this.#pause) return;
    let release = () => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#pause = { promise, release };
  }

  resume(): void {
    const pause = this.#pause;
    this.#pause = null;
    pause?.release();
  }

  stop(): void {
    this.#compareStopped = true;
    this.#trainer?.stop();
    this.resume();
  }

  /** Trains each variant of the comparison in turn on the first `trainLimit` training examples. */
  compare(settings: CompareSettings, data: DataChoice): Promise<void> {
    return this.#exclusive("compare", async () => {
      this.#compareStopped = false;
      this.#state("loading", "compare: starting the backend and loading the data");
      await this.#useBackend(settings.backend);
      const splits = await loadData(data);
      if (splits.channels !== 1 || splits.classNames.length !== 10) {
        throw new Error(
          `the comparison trains nets for 1-channel images of 10 classes (Fashion-MNIST, IDX files); ` +
            `${splits.source} has ${splits.channels} channel(s) and ${splits.classNames.length} classes`,
        );
      }
      const train = takeFirst(splits.train, settings.trainLimit);
      let completed = 0;
      for (let i = 0; i < settings.variants.length && !this.#compareStopped; i++) {
        const name = nameOf(settings.variants[i]!);
        this.#state("training", `compare: ${name} (${i + 1} of ${settings.variants.length})`);
        const result = await trainVariant(settings, i, train, this.#post, () => this.#compareStopped);
        if (!result) break;
        this.#post({ type: "compare-end", index: i, result });
        completed++;
      }
      const stopped = completed < settings.variants.length;
      this.#post({ type: "compare-done", completed, stopped });
      this.#state(
        stopped ? "stopped" : "done",
        `compare: ${completed} of ${settings.variants.length} variants trained`,
      );
    });
  }

  /** Evaluates the current model on the test set, or its first `testLimit` examples (as `resnet-ts eval` does). */
  evaluate(config: TrainConfig, data: DataChoice): Promise<void> {
    return this.#exclusive("evaluate", async () => {
      const c = forData(parseConfig(config), data);
      if (!this.#model) throw new Error("there is no model yet: train one or upload a checkpoint");
      this.#state("evaluating", "loading the data");
      const splits = firstN(await loadData(data), c);
      const { channels, classNames } = this.#modelData;
      if (channels !== splits.channels || classNames.length !== splits.classNames.length) {
        throw new Error(
          `the model takes ${channels}-channel images of ${classNames.length} classes, the data ` +
            `(${splits.source}) has ${splits.channels} channel(s) and ${splits.classNames.length} classes`,
        );
      }
      // The model's recorded preprocessing (as `resnet-ts eval`): its stored size and normalisation.
      const pre = this.#preprocessing;
      if (data.kind === "images" && pre && pre.imageSize !== splits.train.rows) {
        throw new Error(
          `the model was trained on images stored at ${pre.imageSize}x${pre.imageSize}, your images are ` +
            `stored at ${splits.train.rows}x${splits.train.rows}; set the image size to ${pre.imageSize}`,
        );
      }
      await this.#useBackend(c.backend);
      const { test } = splits;
      const grid = gridIndices(test);
      this.#postGrid(test, grid, splits, data);
      this.#state("evaluating", `testing on ${test.count} examples`);
      const result = await evaluate(this.#model, test, {
        batchSize: c.batchSize,
        resize: c.resize,
        normalization: pre?.normalization ?? null,
        predictions: true,
        confusion: true,
      });
      this.#testAccuracy = result.accuracy;
      this.#post({ type: "eval", eval: report(result, grid) });
      this.#state("done", `evaluated ${result.examples} test examples`);
    });
  }

  loadCheckpoint(name: string, bytes: Uint8Array): Promise<void> {
    return this.#exclusive("checkpoint", async () => {
      // Loaded into a fresh model first, so that a bad file leaves the current model as it was.
      const { model, info, preprocessing } = loadCheckpoint(bytes, name);
      this.#modelData = preprocessing
        ? {
            channels: preprocessing.channels,
            classNames: [...preprocessing.classNames],
            imageSize: preprocessing.imageSize,
          }
        : FASHION_MNIST;
      this.#preprocessing = preprocessing;
      this.#model = model;
      this.#modelSpec = info.config ?? DEFAULT_CONFIG;
      this.#modelNote = `loaded from ${name}: ${architecture(this.#modelSpec)}`;
      this.#lastConfig = info.config;
      this.#lastProgress = null;
      this.#step = info.step ?? 0;
      const facts = [
        info.format,
        info.step !== null ? `step ${info.step}` : "",
        info.config ? `trained at ${info.config.resize ?? 28}x${info.config.resize ?? 28}` : "",
        info.date ? `written ${info.date}` : "",
      ].filter(Boolean);
      this.#post({
        type: "summary",
        text: `${this.#modelNote}\n${formatSummary(summary(model, [1, this.#modelData.channels, this.#modelData.imageSize, this.#modelData.imageSize]))}`,
      });
      const folders = preprocessing?.layout === "image-folder";
      this.#post({
        type: "checkpoint-loaded",
        name,
        message: `loaded ${name} (${facts.join(", ")})`,
        settings: {
          config: info.config,
          imageSize: folders ? preprocessing.imageSize : null,
          valFraction: folders ? (preprocessing.valFraction ?? null) : null,
        },
      });
    });
  }

  /** Reads pretrained weights for the next fine-tuning start; the page shows what was read, or why not. */
  loadPretrained(name: string, bytes: Uint8Array): void {
    try {
      const file = readWeights(bytes, name);
      this.#pretrained = { name, file };
      const keys = Object.keys(file.stateDict);
      const known = matchKnownModel(keys);
      const facts = [`${file.format}`, `${keys.length} tensors`, ...(known ? [`${known}'s keys`] : [])];
      const message = [`read ${name} (${facts.join(", ")})`, ...file.notes].join("; ");
      this.#post({ type: "pretrained-read", name, ok: true, message });
    } catch (error) {
      this.#pretrained = null;
      this.#post({
        type: "pretrained-read",
        name,
        ok: false,
        message: `${name}: ${(error as Error).message}`,
      });
    }
  }

  /**
   * Posts the model as a weights file. The weights are read asynchronously (any backend, gpu.js on WebGPU
   * too) as they are at the request, also while a run trains on.
   */
  async saveCheckpoint(): Promise<void> {
    if (!this.#model) {
      this.#post({
        type: "error",
        message: "download: there is no model yet: train one or upload a checkpoint",
      });
      return;
    }
    const fileName = `${this.#lastConfig?.model ?? this.#modelSpec?.model ?? "d2l-resnet18"}-step${this.#step}.safetensors`;
    let bytes: Uint8Array;
    try {
      bytes = await saveCheckpoint(this.#model, {
        config: this.#lastConfig,
        progress: this.#trainer?.progress ?? this.#lastProgress,
        backend: this.#backend ?? "cpu",
        testAccuracy: this.#testAccuracy,
        preprocessing: this.#preprocessing,
      });
    } catch (error) {
      this.#post({ type: "error", message: `download: ${(error as Error).message}` });
      return;
    }
    const buffer = bytes.buffer as ArrayBuffer;
    this.#post({ type: "checkpoint", bytes: buffer, fileName }, [buffer]);
  }

  #postGrid(test: Dataset, grid: number[], splits: DataSplits, data: DataChoice): void {
    const pixels = test.channels * test.rows * test.cols;
    const out = new Uint8Array(grid.length * pixels);
    grid.forEach((index, k) => {
      out.set(test.images.subarray(index * pixels, (index + 1) * pixels), k * pixels);
    });
    const sample: SampleGrid = {
      pixels: out,
      labels: grid.map((i) => test.labels[i]!),
      side: test.rows,
      channels: test.channels,
      classNames: splits.classNames,
      invert: data.kind !== "images",
    };
    this.#post({ type: "samples", grid: sample }, [out.buffer]);
  }
}

/** What a model was built for: image channels, class names and the stored image side. */
interface ModelData {
  channels: Channels;
  classNames: string[];
  imageSize: number;
}

const FASHION_MNIST: ModelData = { channels: 1, classNames: [...CLASS_NAMES], imageSize: 28 };

/**
 * The config as it applies to `data`: the user's images are stored at the chosen image size and train
 * at it (the resolution field, an upsampling for Fashion-MNIST, does not apply).
 */
function forData(c: TrainConfig, data: DataChoice): TrainConfig {
  return data.kind === "images" ? { ...c, resize: null } : c;
}

/**
 * The config with the settings left to "auto" taken from the data, as `resnet-ts train` chooses them
 * (photos: augmentation and the training split's mean/std; Fashion-MNIST and IDX files: neither).
 */
function withAuto(c: TrainConfig, auto: AutoSettings, splits: DataSplits): TrainConfig {
  const defaults = dataDefaults(splits.layout, splits.train.rows);
  return {
    ...c,
    ...(auto.augment ? { augment: defaults.augment } : {}),
    ...(auto.normalize ? { normalize: defaults.normalize } : {}),
  };
}

/**
 * The first `trainLimit` / `testLimit` examples in file order (the split interleaves the classes), as
 * `resnet-ts eval --test-limit` takes them. The Trainer's own subset of a set no larger than the limit is
 * the set itself, so training and evaluating here see exactly these examples.
 */
function firstN(splits: DataSplits, c: TrainConfig): DataSplits {
  return {
    ...splits,
    train: c.trainLimit === null ? splits.train : takeFirst(splits.train, c.trainLimit),
    test: c.testLimit === null ? splits.test : takeFirst(splits.test, c.testLimit),
  };
}

/**
 * The network's name as the summary shows it, e.g. "ResNet-18, full-preact blocks, plain (no shortcuts)"
 * for d2l's net, "torchvision resnet18, small stem" for torchvision's.
 */
function architecture(c: ModelConfig): string {
  if (c.model && c.model !== "d2l-resnet18") {
    return `torchvision ${c.model}${c.smallStem ? ", small stem" : ""}${c.zeroInitResidual ? ", zero-init residual" : ""}`;
  }
  const width = (c.width ?? 1) === 1 ? "" : `, width ${c.width}`;
  return `ResNet-18${width}, ${c.arrangement} blocks${c.plain ? ", plain (no shortcuts)" : ""}`;
}

/** Evenly spread indices into the test set for the sample grid. */
function gridIndices(test: Dataset): number[] {
  const n = Math.min(GRID_SIZE, test.count);
  return Array.from({ length: n }, (_, k) => Math.floor((k * test.count) / n));
}

function report(result: EvalResult, grid: number[]): EvalReport {
  return {
    accuracy: result.accuracy,
    loss: result.loss,
    examples: result.examples,
    confusion: result.confusion ?? [],
    samplePredictions: grid.map((i) => result.predictions?.[i] ?? -1),
  };
}
