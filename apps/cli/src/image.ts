/** Reading an image file as one grayscale channel in [0, 1] (PNG via pngjs; 8 or 16 bit, any color type). */
import { readFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { UsageError } from "./output.js";

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major luminance in [0, 1]. */
  pixels: Float32Array;
}

export async function readGrayImage(path: string): Promise<GrayImage> {
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--image: cannot read ${path} (${e.code ?? e.message})`);
  });
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    throw new UsageError(`--image: ${path} is not a valid PNG file (${(e as Error).message})`);
  }
  const { width, height, data } = png;
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    // pngjs decodes to RGBA8; composite over black, then ITU-R BT.601 luma.
    const a = data[4 * i + 3]! / 255;
    const luma = 0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!;
    pixels[i] = (luma * a) / 255;
  }
  return { width, height, pixels };
}
