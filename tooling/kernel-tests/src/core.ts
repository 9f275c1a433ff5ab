/**
 * The parity checks without vitest, for pages and scripts (a browser page imports this entry):
 * the kernel cases, `compareKernel` and `compareTraining`.
 */
export { type CaseSize, type HostTensor, type KernelCase, kernelCases } from "./cases.js";
export {
  type CompareOptions,
  DEFAULT_TOLERANCE,
  type Mismatch,
  type RunResult,
  type Tolerance,
  compareKernel,
  compareValues,
  runKernelCase,
} from "./compare.js";
export {
  type Network,
  type NetworkFactory,
  type TrainingOptions,
  type TrainingReport,
  compareTraining,
  smallNetwork,
} from "./network.js";
