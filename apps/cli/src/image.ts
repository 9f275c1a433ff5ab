/** Reading an image file as one grayscale channel in [0, 1] (PNG via pngjs; 8 or 16 bit, any color type). */
import { readFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { UsageError } from "./output.js";

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major luminance in [0, 1]. */
  pixels: Float32Array;
  /** Whether any pixel had colour (red, green and blue not all equal) before the conversion to grey. */
  colour: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const hex = (bytes: Iterable<number>) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

export async function readGrayImage(path: string): Promise<GrayImage> {
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    const why =
      e.code === "ENOENT" ? "it does not exist" : e.code === "EISDIR" ? "it is a directory" : e.code;
    throw new UsageError(`--image: cannot read ${path} (${why ?? e.message}); expected a PNG file`);
  });
  const head = bytes.subarray(0, PNG_SIGNATURE.length);
  if (head.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => head[i] !== b)) {
    throw new UsageError(
      `--image: ${path} is not a PNG file: it starts with ${hex(head) || "nothing (empty file)"}, ` +
        `expected the PNG signature ${hex(PNG_SIGNATURE)}`,
    );
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch {
    throw new UsageError(
      `--image: ${path} is a damaged PNG file (${bytes.length} bytes that do not decode: truncated or corrupt); ` +
        "expected a complete PNG image",
    );
  }
  const { width, height, data } = png;
  const pixels = new Float32Array(width * height);
  let colour = false;
  for (let i = 0; i < pixels.length; i++) {
    // pngjs decodes to RGBA8; composite over black, then ITU-R BT.601 luma.
    const [r, g, b] = [data[4 * i]!, data[4 * i + 1]!, data[4 * i + 2]!];
    if (r !== g || g !== b) colour = true;
    const a = data[4 * i + 3]! / 255;
    pixels[i] = ((0.299 * r + 0.587 * g + 0.114 * b) * a) / 255;
  }
  return { width, height, pixels, colour };
}
