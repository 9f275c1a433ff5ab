/** The shared parity suite (@resnet-ts/kernel-tests) on gpu.js's cpu and webasm modes. */
import { describeBackendParity } from "@resnet-ts/kernel-tests";
import "../src/index.js";

describeBackendParity("gpujs:cpu");
describeBackendParity("gpujs:webasm");
