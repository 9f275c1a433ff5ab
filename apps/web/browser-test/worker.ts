/** The app's browser decoding (image-decode.ts) and the stored form (fitImage) of each given image. */
import { fitImage } from "@resnet-ts/data";
import { decodeImage, headerColour } from "../src/worker/image-decode.js";

interface Input {
  images: { name: string; base64: string; channels: 1 | 3 }[];
  size: number;
}

self.onmessage = async ({ data }: MessageEvent<Input>) => {
  const out = [];
  for (const { name, base64, channels } of data.images) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    try {
      const raw = await decodeImage(bytes, name);
      out.push({
        name,
        colour: headerColour(bytes),
        width: raw.width,
        height: raw.height,
        stored: Array.from(fitImage(raw, channels, data.size)),
      });
    } catch (error) {
      out.push({ name, error: (error as Error).message });
    }
  }
  self.postMessage({ results: out });
};
