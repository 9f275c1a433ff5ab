/** Runs this folder's page (the backend in a Web Worker, cross-origin isolated) in headless Chromium. */
import { fileURLToPath } from "node:url";
import { runBrowserPage } from "@resnet-ts/browser-harness";

export { CHROMIUM_PATH } from "@resnet-ts/browser-harness";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Builds the page, serves it, and returns what the worker reported. */
export async function runPage(timeoutMs: number): Promise<Record<string, unknown>> {
  const { results } = await runBrowserPage(root, {
    isolated: true,
    resultGlobal: "__wasmResults",
    timeoutMs,
  });
  return results as Record<string, unknown>;
}
