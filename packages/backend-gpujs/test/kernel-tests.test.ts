/** The shared parity suite (@resnet-ts/kernel-tests) on gpu.js's cpu and webasm modes. */
import "../src/index.js";
// By path: the workspace aliases of the vitest config map @resnet-ts/* to packages/*, not tooling/*.
import { describeBackendParity } from "../../../tooling/kernel-tests/src/index.js";

describeBackendParity("gpujs:cpu");
describeBackendParity("gpujs:webasm");
