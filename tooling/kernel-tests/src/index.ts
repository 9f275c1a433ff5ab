/**
 * @resnet-ts/kernel-tests: a parity suite for backends. `describeBackendParity('wasm')` inside a
 * vitest file checks every kernel of the contract against the reference `cpu` backend;
 * `compareKernel` and `kernelCases` do the same for one case, outside `describe`.
 */
export { type CaseSize, type HostTensor, type KernelCase, kernelCases } from "./cases.js";
export {
  type CompareOptions,
  DEFAULT_TOLERANCE,
  type Mismatch,
  type Tolerance,
  compareKernel,
} from "./compare.js";
export { type ParityOptions, describeBackendParity } from "./parity.js";
