import { workspaceAliases } from "@resnet-ts/vitest-config";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "tooling/*/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
