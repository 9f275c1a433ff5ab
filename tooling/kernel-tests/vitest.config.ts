// The self-test of the parity suite (tooling/* is outside the root config's `include`).
import { workspaceAliases } from "@resnet-ts/vitest-config";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
