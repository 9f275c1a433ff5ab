/**
 * @resnet-ts/kernel-tests: the backends' one parity suite. `describeBackendParity('wasm')` inside a
 * vitest file checks every kernel of the contract against the reference `cpu` backend;
 * `compareKernel` and `kernelCases` do the same for one case, outside `describe`; `compareTraining`
 * checks a whole network's training steps. `@resnet-ts/kernel-tests/core` is the same without vitest.
 */
export * from "./core.js";
export { type ParityOptions, describeBackendParity } from "./parity.js";
