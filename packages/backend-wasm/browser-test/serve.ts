/**
 * Bundles browser-test/ with vite (workspace packages from their sources), serves it cross-origin
 * isolated (SharedArrayBuffer needs COOP/COEP) and opens it in headless Chromium via playwright-core.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const packages = fileURLToPath(new URL("../../", import.meta.url));

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** SPEC §5's launch flags (Playwright adds --headless and the fresh profile directory). */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

const keepSideEffects = () => ({
  name: "keep-workspace-side-effects",
  transform: (code: string, id: string) =>
    id.startsWith(packages) ? { code, moduleSideEffects: true } : null,
});

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };

/** Builds the page, serves it, and returns what the worker reported. */
export async function runPage(timeoutMs: number): Promise<Record<string, unknown>> {
  const outDir = mkdtempSync(join(tmpdir(), "backend-wasm-page-"));
  await build({
    configFile: false,
    root,
    logLevel: "error",
    resolve: { alias: [{ find: /^@resnet-ts\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` }] },
    // tensor registers its cpu backend on import: keep workspace modules' side effects.
    plugins: [
      {
        name: "keep-workspace-side-effects",
        transform: (code: string, id: string) =>
          id.startsWith(packages) ? { code, moduleSideEffects: true } : null,
      },
    ],
    build: { outDir, emptyOutDir: true, minify: false, target: "esnext", reportCompressedSize: false },
    worker: { format: "es", plugins: () => [keepSideEffects()] },
  });
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? "/", "http://x").pathname).replace(/^(\.\.[/\\])+/, "");
    const file = path === "/" ? "index.html" : path;
    try {
      const body = readFileSync(join(outDir, file));
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const profile = mkdtempSync(join(tmpdir(), "backend-wasm-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
  });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __wasmResults?: unknown }).__wasmResults, null, {
      timeout: timeoutMs,
      polling: 200,
    });
    return await page.evaluate(
      () => (window as unknown as { __wasmResults: Record<string, unknown> }).__wasmResults,
    );
  } finally {
    await context.close();
    server.close();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}
