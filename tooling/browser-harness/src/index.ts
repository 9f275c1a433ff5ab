/**
 * The backends' browser checks: bundle a page folder with vite (workspace packages from their
 * TypeScript sources), serve it on localhost (cross-origin isolated on request, for SharedArrayBuffer),
 * open it in headless Chromium through playwright-core, and return what the page put in a global.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";
import { CHROMIUM_FLAGS, CHROMIUM_PATH, WEBGPU_FLAGS } from "../chromium.mjs";

export { CHROMIUM_FLAGS, CHROMIUM_PATH, WEBGPU_FLAGS };

const packages = fileURLToPath(new URL("../../../packages/", import.meta.url));

/** Backends register on import: keep the side effects of every workspace module. */
const keepSideEffects = () => ({
  name: "keep-workspace-side-effects",
  transform: (code: string, id: string) =>
    id.startsWith(packages) ? { code, moduleSideEffects: true } : null,
});

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".map": "application/json",
};

export interface PageOptions {
  /** Query string for the page, without "?". */
  query?: string;
  /** Send COOP/COEP so the page is cross-origin isolated. */
  isolated?: boolean;
  /** Chromium flags besides CHROMIUM_FLAGS. */
  extraFlags?: readonly string[];
  /** The global the page sets when it is done. */
  resultGlobal: string;
  timeoutMs: number;
}

/** Builds `root`'s index.html, serves it, waits for `window[resultGlobal]` and returns it with any page errors. */
export async function runBrowserPage(
  root: string,
  options: PageOptions,
): Promise<{ results: unknown; pageErrors: string[] }> {
  const outDir = mkdtempSync(join(tmpdir(), "resnet-ts-page-"));
  const profile = mkdtempSync(join(tmpdir(), "resnet-ts-chromium-"));
  const isolation = options.isolated
    ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
    : {};
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
      /^(\.\.[/\\])+/,
      "",
    );
    const file = path === "/" ? "index.html" : path;
    try {
      const body = readFileSync(join(outDir, file));
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        ...isolation,
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  try {
    await build({
      configFile: false,
      root,
      logLevel: "error",
      resolve: { alias: [{ find: /^@resnet-ts\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` }] },
      plugins: [keepSideEffects()],
      build: { outDir, emptyOutDir: true, minify: false, target: "esnext", reportCompressedSize: false },
      worker: { format: "es", plugins: () => [keepSideEffects()] },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...(options.extraFlags ?? [])],
    });
    const pageErrors: string[] = [];
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.goto(options.query ? `${url}?${options.query}` : url);
      const name = options.resultGlobal;
      await page.waitForFunction((g) => (globalThis as unknown as Record<string, unknown>)[g], name, {
        timeout: options.timeoutMs,
        polling: 250,
      });
      const results = await page.evaluate((g) => (globalThis as unknown as Record<string, unknown>)[g], name);
      return { results, pageErrors };
    } finally {
      await context.close();
    }
  } finally {
    server.close();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}
