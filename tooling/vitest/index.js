// Shared vitest settings: tests import sibling packages from their TypeScript sources, so the
// suite runs without a build and a change in one package is seen at once by the packages above it.
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Maps each `@resnet-ts/<name>` import (and its subpaths) to `packages/<name>/src`; the private test
 * helpers in tooling/ come first.
 */
export const workspaceAliases = [
  { find: /^@resnet-ts\/kernel-tests$/, replacement: `${root}tooling/kernel-tests/src/index.ts` },
  { find: /^@resnet-ts\/kernel-tests\/core$/, replacement: `${root}tooling/kernel-tests/src/core.ts` },
  { find: /^@resnet-ts\/browser-harness$/, replacement: `${root}tooling/browser-harness/src/index.ts` },
  {
    find: /^@resnet-ts\/browser-harness\/chromium$/,
    replacement: `${root}tooling/browser-harness/chromium.mjs`,
  },
  { find: /^@resnet-ts\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
  { find: /^@resnet-ts\/([a-z-]+)\/(.+)$/, replacement: `${root}packages/$1/src/$2.ts` },
];
