/**
 * Shared by the e2e tests and the browser benchmark: build the app (data assets + vite build), serve
 * the build with `vite preview` (so the COOP/COEP headers come from vite.config.ts, as for users), and
 * launch headless Chromium (path and flags from @resnet-ts/browser-harness) with a fresh profile.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CHROMIUM_FLAGS, CHROMIUM_PATH as CHROMIUM } from "@resnet-ts/browser-harness/chromium";

export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Why the browser checks cannot run here, or null when they can. */
export function browserMissing() {
  return existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/** Writes the data assets and runs `vite build` into apps/web/dist. */
export async function buildApp({ log = () => {} } = {}) {
  await promisify(execFile)(process.execPath, [join(APP_DIR, "scripts", "make-data.mjs")], { cwd: APP_DIR });
  const { build } = await import("vite");
  await build({ root: APP_DIR, logLevel: "error", configFile: join(APP_DIR, "vite.config.ts") });
  log("built apps/web/dist");
}

/** Serves apps/web/dist with `vite preview` on a free port; returns its URL and a close function. */
export async function serveApp() {
  const { preview } = await import("vite");
  const server = await preview({
    root: APP_DIR,
    configFile: join(APP_DIR, "vite.config.ts"),
    logLevel: "warn",
    preview: { port: 0, host: "127.0.0.1", strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 4173}/`;
  return { url, close: () => server.close() };
}

/**
 * Headless Chromium with a fresh profile (a persistent context is how Playwright takes a user data dir).
 * `extraFlags` are appended (e.g. --enable-unsafe-webgpu). Returns the context and a close function.
 */
export async function launchBrowser({ extraFlags = [], downloads = false } = {}) {
  const { chromium } = await import("playwright-core");
  const profile = await mkdtemp(join(tmpdir(), "resnet-ts-web-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
    acceptDownloads: downloads,
    viewport: { width: 1320, height: 1100 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
