/**
 * @resnet-ts/trainer (browser-safe entry): loss and metrics, SGD, learning-rate schedules, the shared
 * training config, the training loop and evaluation, and safetensors checkpoints in memory.
 * Checkpoints on disk are in "@resnet-ts/trainer/node".
 */
export { accuracy, argmaxRows, countCorrect, crossEntropy, RunningMean } from "./metrics.js";
export {
  SGD,
  type SgdHyperparameters,
  type SgdOptions,
  type SgdStateDict,
  validateSgdOptions,
} from "./sgd.js";
export {
  cosineLr,
  learningRate,
  oneCycleLr,
  SCHEDULE_NAMES,
  type ScheduleName,
  type ScheduleOptions,
  type SchedulePosition,
  stepLr,
  warmupSteps,
} from "./schedule.js";
export {
  ConfigError,
  DEFAULT_CONFIG,
  PRESET_NAMES,
  PRESETS,
  type PresetName,
  parseConfig,
  resolveConfig,
  showValue,
  type TrainConfig,
  type TrainConfigInput,
  TrainConfigInputSchema,
  TrainConfigSchema,
} from "./config.js";
export { CROP_MAX_SIDE, dataDefaults } from "./data-defaults.js";
export { epochShuffleSeed } from "./sampling.js";
export { type EvalResult, type EvaluateOptions, evaluate, TTA_NAMES, type TtaName } from "./evaluate.js";
export type { Listener } from "./events.js";
export {
  type BatchEndEvent,
  type EndEvent,
  type EndReason,
  type EpochEndEvent,
  NonFiniteLossError,
  Trainer,
  type TrainerEvents,
  type TrainerOptions,
  type TrainingState,
  type TrainProgress,
  train,
} from "./trainer.js";
export { createModel, type ModelConfig } from "./model.js";
export {
  CheckpointFitError,
  checkHead,
  checkpointShape,
  modelDescription,
  modelFromCheckpoint,
} from "./checkpoint-model.js";
export { FREEZE_PATTERN, MODEL_NAMES, type ModelName } from "./model-names.js";
export {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsFile,
  type SafetensorsMetadata,
} from "./safetensors.js";
export {
  CHECKPOINT_FORMAT,
  type Checkpoint,
  CheckpointError,
  type CheckpointInfo,
  CheckpointPartError,
  type CheckpointOptions,
  decodeCheckpoint,
  type EncodedCheckpoint,
  encodeCheckpoint,
  loadWeightsFromBytes,
  TRAIN_STATE_FORMAT,
} from "./checkpoint.js";
export {
  type ActivationStat,
  type ActivationStatsOptions,
  activationStats,
  type GradientNorm,
  type GradientNormOptions,
  gradientNorms,
} from "./diagnostics.js";
export { type ComparisonOptions, type ComparisonRun, trainForComparison } from "./compare.js";
export {
  type BenchStep,
  type BenchStepOptions,
  benchStep,
  median,
  type TimeStepsOptions,
  timeSteps,
} from "./bench-step.js";
export { trainVariant, type VariantRunOptions, type VariantRunResult } from "./variant-run.js";
export { type DataRecord, DataRecordSchema, parseDataRecord } from "./data-record.js";
export { yieldToEventLoop } from "./yield.js";
export { type PthFile, PthError, decodePth, isZip } from "./pth.js";
export { ALLOWED_GLOBALS, PickleError, unpickle } from "./pickle.js";
export { readStoredZip, ZipError } from "./zip.js";
export {
  type FitOptions,
  type FitResult,
  fitPretrained,
  headName,
  loadPretrained,
  loadWeightsFile,
  matchKnownModel,
  PretrainedError,
  readWeights,
  type WeightsFile,
  type WeightsFileLoad,
} from "./pretrained.js";
export { applyFreeze, describeFrozen, type FrozenParts, frozenPrefixes, trainMode } from "./freeze.js";
export {
  type PlannedRun,
  plannedRuns,
  type RecordedStudy,
  runKey,
  STUDY_PRESETS,
  type Spread,
  type StudyDepth,
  type StudyPlan,
  type StudyPreset,
  type StudyPresetName,
  type StudyRun,
  settingsMismatch,
  spread,
  summarize,
  type TrainingSettings,
  type VariantSummary,
} from "./study.js";
export { studyNet, studyNetLayers } from "./study-net.js";
export {
  batchMemoryError,
  estimateTrainingMemory,
  type MemoryEstimate,
  memoryError,
  WASM_MAX_BYTES,
} from "./memory.js";
