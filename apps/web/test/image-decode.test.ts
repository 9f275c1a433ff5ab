/**
 * The browser's decoding (createImageBitmap + OffscreenCanvas in a Web Worker, headless Chromium) against
 * the Node path (sharp), on the same small PNG and JPEG files written here with sharp from seeded
 * synthetic pixels: both then store the image with the same `fitImage` (Resize + CenterCrop). PNG pixels
 * must be equal; JPEG pixels within JPEG_TOLERANCE (the decoders' IDCT and chroma upsampling differ).
 * The colour each side reads from the file's header must agree too. Skipped when Chromium is missing.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Channels, fitImage } from "@resnet-ts/data";
import { decodeImageFile } from "@resnet-ts/data/node";
import { CHROMIUM_PATH, runBrowserPage } from "@resnet-ts/browser-harness";
import { Rng } from "@resnet-ts/tensor";
import sharp from "sharp";
import { describe, expect, it } from "vitest";

/**
 * The largest difference allowed between the two JPEG decoders' stored pixels (levels of 255). Chromium
 * 156 and sharp 0.35 (both libjpeg-turbo) measured 0 here; other builds may round the IDCT differently.
 */
export const JPEG_TOLERANCE = 3;
const SIZE = 16;

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`web image-decode test SKIPPED: no Chromium at ${CHROMIUM_PATH}`);

/** Smooth seeded colour gradients plus a little noise, `channels` interleaved. */
function synthetic(width: number, height: number, channels: number, seed: number): Buffer {
  const rng = new Rng(seed);
  const phase = Array.from({ length: 4 }, () => rng.uniform() * 6);
  const out = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = 128 + 90 * Math.sin(x / 5 + phase[c]!) * Math.cos(y / 7 + phase[(c + 1) % 4]!);
        out[(y * width + x) * channels + c] =
          c === 3 ? 255 : Math.max(0, Math.min(255, Math.round(v + rng.uniform() * 16 - 8)));
      }
    }
  }
  return out;
}

interface Fixture {
  name: string;
  bytes: Buffer;
  channels: Channels;
}

async function fixtures(): Promise<Fixture[]> {
  const raw = (w: number, h: number, c: 1 | 3 | 4, seed: number) =>
    sharp(synthetic(w, h, c, seed), { raw: { width: w, height: h, channels: c } });
  return [
    { name: "rgb.png", bytes: await raw(40, 30, 3, 1).png().toBuffer(), channels: 3 },
    { name: "grey.png", bytes: await raw(23, 37, 1, 2).png().toBuffer(), channels: 1 },
    { name: "rgba-opaque.png", bytes: await raw(31, 31, 4, 3).png().toBuffer(), channels: 3 },
    { name: "palette.png", bytes: await raw(20, 28, 3, 4).png({ palette: true }).toBuffer(), channels: 3 },
    { name: "rgb.jpg", bytes: await raw(40, 30, 3, 5).jpeg({ quality: 90 }).toBuffer(), channels: 3 },
    { name: "grey.jpg", bytes: await raw(33, 24, 1, 6).jpeg({ quality: 90 }).toBuffer(), channels: 1 },
    { name: "rgb-as-grey.jpg", bytes: await raw(30, 30, 3, 7).jpeg({ quality: 85 }).toBuffer(), channels: 1 },
  ];
}

/** The Node path (the CLI's): `decodeImageFile` (sharp), the same stored form, colour from sharp's metadata. */
async function nodeStored(f: Fixture, dir: string): Promise<{ stored: Uint8Array; colour: boolean }> {
  const path = join(dir, f.name);
  await writeFile(path, f.bytes);
  const img = await decodeImageFile(path);
  const meta = await sharp(f.bytes).metadata();
  return { stored: fitImage(img, f.channels, SIZE), colour: (meta.channels ?? 3) >= 3 };
}

interface BrowserResult {
  name: string;
  colour?: boolean | null;
  stored?: number[];
  error?: string;
}

describe.skipIf(!hasChromium)("image decoding: browser worker vs Node (sharp)", () => {
  it("stores the same pixels (PNG exactly, JPEG within the tolerance) and reads the same colour", async () => {
    const files = await fixtures();
    const corrupt = files.find((f) => f.name === "rgb.jpg")!.bytes.subarray(0, 120);
    const images = [...files, { name: "corrupt.jpg", bytes: corrupt, channels: 3 }].map((f) => ({
      name: f.name,
      base64: f.bytes.toString("base64"),
      channels: f.channels,
    }));
    const query = `size=${SIZE}#images=${encodeURIComponent(Buffer.from(JSON.stringify(images)).toString("base64"))}`;
    const { results, pageErrors } = await runBrowserPage(
      fileURLToPath(new URL("../browser-test/", import.meta.url)),
      {
        query,
        resultGlobal: "__decodeResults",
        timeoutMs: 60_000,
      },
    );
    expect(pageErrors).toEqual([]);
    const browser = (results as { results: BrowserResult[] }).results;
    const report: Record<string, string> = {};
    const dir = await mkdtemp(join(tmpdir(), "resnet-ts-decode-"));
    for (const f of files) {
      const b = browser.find((r) => r.name === f.name)!;
      expect(b.error, f.name).toBeUndefined();
      const node = await nodeStored(f, dir);
      expect(b.colour, `${f.name}: colour from the header`).toBe(node.colour);
      expect(b.stored!.length).toBe(node.stored.length);
      let max = 0;
      let sum = 0;
      b.stored!.forEach((v, i) => {
        const d = Math.abs(v - node.stored[i]!);
        max = Math.max(max, d);
        sum += d;
      });
      report[f.name] = `max ${max}, mean ${(sum / node.stored.length).toFixed(3)}`;
      if (f.name.endsWith(".png")) expect(max, f.name).toBe(0);
      else expect(max, f.name).toBeLessThanOrEqual(JPEG_TOLERANCE);
    }
    await rm(dir, { recursive: true, force: true });
    console.log("browser vs sharp, stored pixel differences:", JSON.stringify(report));
    const bad = browser.find((r) => r.name === "corrupt.jpg")!;
    expect(bad.error).toMatch(
      /^corrupt\.jpg: cannot decode the image .*expected a complete PNG, JPEG or WebP file$/,
    );
  }, 120_000);
});
