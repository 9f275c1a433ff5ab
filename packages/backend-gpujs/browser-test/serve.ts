/** Runs this folder's page (the parity cases, optionally a benchmark) in headless Chromium. */
import { fileURLToPath } from "node:url";
import { runBrowserPage, WEBGPU_FLAGS } from "@resnet-ts/browser-harness";

export { CHROMIUM_PATH } from "@resnet-ts/browser-harness";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Builds, serves and opens the page for `modes`; returns what the page reported. */
export async function runPage(modes: readonly string[], timeoutMs: number, bench?: string): Promise<unknown> {
  const { results, pageErrors } = await runBrowserPage(root, {
    query: `modes=${modes.join(",")}${bench ? `&bench=${bench}` : ""}`,
    extraFlags: WEBGPU_FLAGS,
    resultGlobal: "__gpujsResults",
    timeoutMs: bench ? timeoutMs + 600_000 : timeoutMs,
  });
  return pageErrors.length ? { ...(results as object), pageErrors } : results;
}
