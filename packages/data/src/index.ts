/**
 * @resnet-ts/data (browser-safe entry): the data set types, IDX and CIFAR-10 parsing, layout detection
 * over file paths, resizing as torchvision on PIL images, seeded transforms, and batching into tensors.
 * Loading from disk (and decoding with sharp, worker threads) is in "@resnet-ts/data/node".
 */
export { CLASS_NAMES } from "./classes.js";
export {
  type Channels,
  type DataSplits,
  type Dataset,
  assertDataset,
  assertLabels,
  imageBytes,
  takeFirst,
} from "./dataset.js";
export {
  IDX_FILE_NAMES,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  type IdxFileKey,
  type IdxImages,
  type IdxLabels,
  encodeIdxImages,
  encodeIdxLabels,
  encodeIdxSplits,
  parseIdxImages,
  parseIdxLabels,
  splitsFromIdx,
} from "./idx.js";
export {
  type Batch,
  type BatchLoader,
  type BatchOptions,
  type BatchPlan,
  batches,
  batchTensors,
  batchTransform,
  numBatches,
  planEpoch,
} from "./batches.js";
export {
  CIFAR10_CLASS_NAMES,
  CIFAR10_SIDE,
  parseCifar10Batch,
  parseCifar10Meta,
  splitsFromCifar10,
} from "./cifar.js";
export {
  CIFAR10_META_FILE,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  IMAGE_EXTENSIONS,
  type Layout,
  type Sample,
  detectLayout,
  imageFolderSplits,
  interleaveClasses,
  stratifiedSplit,
} from "./layout.js";
export {
  type RawImage,
  convertChannels,
  fitImage,
  resizeBilinearPil,
  resizedSize,
  roundHalfEven,
} from "./image-resize.js";
export {
  AUGMENT_NAMES,
  type AugmentName,
  type BatchTransform,
  NORMALIZE_NAMES,
  type Normalization,
  type NormalizeName,
  batchSeed,
  buildBatch,
  cropPadding,
  datasetNormalization,
  imagenetNormalization,
  randomErasingParams,
  randomResizedCropParams,
  resizedCrop,
  resolveNormalization,
  writeImage,
} from "./transforms.js";
export {
  type LayoutKind,
  LAYOUT_KINDS,
  type Preprocessing,
  PreprocessingSchema,
  parsePreprocessing,
  preprocessImage,
  preprocessingOf,
} from "./preprocessing.js";
export { describeSplits } from "./describe.js";
