/**
 * The shared parity suite (@resnet-ts/kernel-tests) on the wasm backend: its edge-case shapes on every
 * instance of ./instances.ts, ResNet-18's own shapes on the default one.
 */
import { describeBackendParity } from "@resnet-ts/kernel-tests";
import { WASM_INSTANCES, WINOGRAD_TOLERANCE } from "./instances.js";

// Stride-1 3x3 convs on maps from 4x4 up run by Winograd (src/kernels/winograd.ts), whose F(4x4, 3x3)
// error is relative to the output's largest value.
const kernelTolerance = {
  Conv2D: WINOGRAD_TOLERANCE,
  Conv2DBackpropInput: WINOGRAD_TOLERANCE,
  Conv2DBackpropFilter: WINOGRAD_TOLERANCE,
};
for (const name of WASM_INSTANCES) describeBackendParity(name, { kernelTolerance });
describeBackendParity("wasm", { shapes: "full", timeout: 60_000, kernelTolerance });
