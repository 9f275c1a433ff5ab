/**
 * Builds the browser page with vite (workspace packages from their sources, gpu.js's browser build)
 * and serves it on localhost; then drives headless Chromium through playwright-core.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const packages = fileURLToPath(new URL("../../", import.meta.url));

/** Workspace packages from their TypeScript sources, as the vitest config does. */
const aliases = [{ find: /^@resnet-ts\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` }];

/** SPEC §5's launch flags (Playwright adds --headless and manages the fresh profile directory). */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--enable-unsafe-webgpu",
  "--enable-unsafe-swiftshader",
];

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Bundles browser-test/index.html into a fresh temporary folder; returns it. */
export async function buildPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "gpujs-page-"));
  await build({
    configFile: false,
    root,
    logLevel: "warn",
    resolve: { alias: aliases },
    // Backends register on import: keep the side effects of every workspace module.
    plugins: [
      {
        name: "keep-workspace-side-effects",
        transform: (code: string, id: string) =>
          id.startsWith(packages) ? { code, moduleSideEffects: true } : null,
      },
    ],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      target: "esnext",
      reportCompressedSize: false,
    },
  });
  return outDir;
}

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".map": "application/json",
};

/** Serves `dir` on an ephemeral localhost port. */
export async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
      /^(\.\.[/\\])+/,
      "",
    );
    const file = path === "/" ? "index.html" : path;
    try {
      const body = readFileSync(join(dir, file));
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Builds, serves and opens the page in headless Chromium; returns what the page reported. */
export async function runPage(modes: readonly string[], timeoutMs: number, bench?: string): Promise<unknown> {
  const outDir = await buildPage();
  const { url, server } = await serve(outDir);
  const profile = mkdtempSync(join(tmpdir(), "gpujs-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}?modes=${modes.join(",")}${bench ? `&bench=${bench}` : ""}`);
    await page.waitForFunction(
      () => (window as unknown as { __gpujsResults?: unknown }).__gpujsResults,
      null,
      {
        timeout: bench ? timeoutMs + 600_000 : timeoutMs,
        polling: 500,
      },
    );
    const results = await page.evaluate(
      () => (window as unknown as { __gpujsResults: unknown }).__gpujsResults,
    );
    return errors.length ? { ...(results as object), pageErrors: errors } : results;
  } finally {
    await context.close();
    server.close();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}
