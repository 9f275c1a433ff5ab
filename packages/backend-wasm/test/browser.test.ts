/**
 * The backend in a browser: a Web Worker (as the trainer runs there) starts the wasm backend with its
 * own worker threads in headless Chromium and trains a conv step, compared with the cpu backend.
 * Skipped, with a message, when Chromium is missing (`apt-get install -y chromium`, or CHROMIUM_PATH).
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHROMIUM_PATH, runPage } from "../browser-test/serve.js";

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`backend-wasm browser test SKIPPED: no Chromium at ${CHROMIUM_PATH}`);

describe.skipIf(!hasChromium)("wasm backend in headless Chromium", () => {
  it("is picked by setBackend() in a Web Worker, runs threads there and matches the cpu backend", async () => {
    const r = await runPage(60_000);
    expect(r.error).toBeUndefined();
    expect(r.backend).toBe("wasm");
    expect(r.threads).toBeGreaterThanOrEqual(2);
    expect(r.maxRelDiff).toBeLessThanOrEqual(1e-4);
    console.log("browser:", JSON.stringify(r));
  }, 120_000);
});
