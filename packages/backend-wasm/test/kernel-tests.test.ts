/**
 * The shared parity suite (@resnet-ts/kernel-tests) on the wasm backend: its edge-case shapes on every
 * instance of ./instances.ts, ResNet-18's own shapes on the default one.
 */
import { describeBackendParity } from "@resnet-ts/kernel-tests";
import { WASM_INSTANCES } from "./instances.js";

for (const name of WASM_INSTANCES) describeBackendParity(name);
describeBackendParity("wasm", { shapes: "full", timeout: 60_000 });
