/**
 * Small class-folder fixtures for the web app's "Your images" tests, written with sharp from seeded
 * synthetic pixels: each class a colour (plus noise), PNG files of a few sizes that are not square.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng } from "@resnet-ts/tensor";
import sharp from "sharp";

/** Class name -> its base colour. */
export const COLOUR_CLASSES: Record<string, [number, number, number]> = {
  blue: [40, 60, 210],
  green: [40, 190, 60],
  red: [210, 40, 40],
};

/** An RGB PNG of `width` x `height`: `rgb` with seeded noise of +-30. */
export function colourPng(
  rgb: readonly number[],
  width: number,
  height: number,
  seed: number,
): Promise<Buffer> {
  const rng = new Rng(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = Math.max(0, Math.min(255, Math.round(rgb[i % 3]! + rng.uniform(-30, 30))));
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/**
 * `root/<class>/<k>.png` for each of `classes` (default: the three colours), `perClass` images each,
 * plus `extra` files (path relative to root -> contents); the noise seeds count up from `firstSeed`.
 * Returns root.
 */
export async function writeClassFolders(
  root: string,
  perClass: number,
  extra: Record<string, Buffer | string> = {},
  classes: Record<string, [number, number, number]> = COLOUR_CLASSES,
  firstSeed = 1,
): Promise<string> {
  let seed = firstSeed;
  for (const [name, rgb] of Object.entries(classes)) {
    await mkdir(join(root, name), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      await writeFile(join(root, name, `${k}.png`), await colourPng(rgb, 20 + k, 16 + (k % 3), seed++));
    }
  }
  for (const [path, contents] of Object.entries(extra)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), contents);
  }
  return root;
}
