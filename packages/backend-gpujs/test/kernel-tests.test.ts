/** The shared parity suite (@resnet-ts/kernel-tests) on gpu.js's cpu and webasm modes. */
import { describeBackendParity } from "@resnet-ts/kernel-tests";
import "../src/index.js";
import { GPUJS_SKIPPED_CASES } from "./gpujs-known.js";

describeBackendParity("gpujs:cpu", { skipCases: GPUJS_SKIPPED_CASES });
describeBackendParity("gpujs:webasm", { skipCases: GPUJS_SKIPPED_CASES });
