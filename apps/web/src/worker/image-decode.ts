/**
 * Decoding an image file in a browser worker: `createImageBitmap` (no colour-space conversion, no
 * premultiplication) drawn on an `OffscreenCanvas` and read back as RGBA. Whether the file is colour is
 * read from its header, as sharp's `metadata().channels` says in Node (PNG colour type, JPEG component
 * count; WebP is colour), so that the browser and the CLI store the same channels for the same folder.
 *
 * Against the Node path (sharp, then the same `fitImage`): PNG pixels are equal; baseline JPEG pixels
 * may differ by a few levels (the decoders' IDCT and chroma upsampling differ), see
 * test/image-decode.test.ts for the measured tolerance. Pixels that are not fully opaque can differ too:
 * the canvas stores premultiplied alpha, so their colour is rounded (fully transparent ones read as 0).
 */
import type { RawImage } from "@resnet-ts/data";

/** Whether the file's header says it is colour (true), grey (false), or null when it cannot tell. */
export function headerColour(bytes: Uint8Array): boolean | null {
  // PNG: signature, then IHDR with the colour type at byte 25 (0 grey, 4 grey + alpha; 2, 3, 6 colour).
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 && bytes.length > 25) {
    const type = bytes[25];
    return !(type === 0 || type === 4);
  }
  // JPEG: the first start-of-frame marker (SOF0..SOF15 except DHT/JPG/DAC) has the component count.
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1]!;
      if (marker === 0xff) {
        i++;
        continue;
      }
      const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return bytes[i + 9]! >= 3;
      i += 2 + length;
    }
    return null;
  }
  // WebP ("RIFF....WEBP"): sharp decodes it to 3 or 4 channels.
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[8] === 0x57 && bytes[9] === 0x45) return true;
  return null;
}

/** Decodes `bytes` (a PNG, JPEG or WebP file named `path`) into RGBA pixels; the error names the file. */
export async function decodeImage(bytes: Uint8Array, path: string): Promise<RawImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    });
  } catch (error) {
    throw new Error(
      `${path}: cannot decode the image (${(error as Error).message || "not an image"}); expected a complete PNG, JPEG or WebP file`,
    );
  }
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (!context) throw new Error(`${path}: no 2D canvas context in this browser to read the pixels`);
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, width, height, { colorSpace: "srgb" }).data;
    return { data: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length), width, height, channels: 4 };
  } finally {
    bitmap.close();
  }
}

/** Whether decoded RGBA pixels have any colour (a pixel whose R, G and B differ). */
export function pixelsColour(img: RawImage): boolean {
  if (img.channels < 3) return false;
  const { data, channels } = img;
  for (let i = 0; i < data.length; i += channels) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return true;
  }
  return false;
}
