/**
 * @resnet-ts/backend-gpujs: the tensor core's kernels as gpu.js kernels. Importing it registers
 * `gpujs` (automatic mode) and `gpujs:<mode>` backends; `(getBackend() as GpujsBackend).mode` says
 * which gpu.js mode runs.
 */
import "./register.js";

export { GpujsBackend, type GpuData } from "./backend.js";
export type { GpujsMode, Executor } from "./executors/types.js";
export { candidateModes, isBrowser, startAuto, startExecutor } from "./modes.js";
export {
  type AdapterLike,
  adapterName,
  type GlRendererContext,
  glRenderer,
  isSoftwareRenderer,
  SOFTWARE_RENDERER,
} from "./renderer.js";
export { gpujsKernelConfigs, registerGpujsBackends } from "./register.js";
export { naturalDims, type Dims } from "./layout.js";
