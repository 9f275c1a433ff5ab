/** The shared parity suite (@resnet-ts/kernel-tests) on the wasm backend: its edge-case shapes and ResNet-18's own. */
import { describeBackendParity } from "@resnet-ts/kernel-tests";
import { registerWasmBackend } from "../src/index.js";

registerWasmBackend();

describeBackendParity("wasm");
describeBackendParity("wasm", { shapes: "full", timeout: 60_000 });
