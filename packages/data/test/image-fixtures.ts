/** Seeded synthetic class folders for the tests, written with sharp (PNG or JPEG) in temp directories. */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@resnet-ts/tensor";
import sharp from "sharp";
import { afterAll } from "vitest";

/** A fresh directory, removed after the test file's tests. */
export async function tempDir(prefix = "resnet-ts-data-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An RGB image (HWC) of class `label`: noise, plus a bright square in the class's colour channel
 * (red, green, blue, then repeating) at a class-dependent place, so that classes are easy to tell apart.
 */
export function classImage(rng: Rng, label: number, width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(60);
  const ch = label % 3;
  const side = Math.max(2, Math.floor(Math.min(width, height) / 2));
  const x0 = label % 2 === 0 ? 0 : width - side;
  const y0 = Math.floor(label / 3) % 2 === 0 ? 0 : height - side;
  for (let y = y0; y < y0 + side; y++)
    for (let x = x0; x < x0 + side; x++) data[(y * width + x) * 3 + ch] = 200 + rng.int(56);
  return data;
}

export interface FolderSpec {
  classes: string[];
  perClass: number;
  /** Image sizes cycle through these (width, height). */
  sizes?: [number, number][];
  format?: "png" | "jpeg";
  grey?: boolean;
  seed?: number;
}

/** Writes `root/<class>/<i>.<ext>` files; returns their paths. */
export async function writeClassFolders(root: string, spec: FolderSpec): Promise<string[]> {
  const rng = new Rng(spec.seed ?? 1);
  const sizes = spec.sizes ?? [[16, 16]];
  const paths: string[] = [];
  for (const [label, name] of spec.classes.entries()) {
    await mkdir(join(root, name), { recursive: true });
    for (let i = 0; i < spec.perClass; i++) {
      const [w, h] = sizes[i % sizes.length]!;
      const path = join(
        root,
        name,
        `${String(i).padStart(3, "0")}.${spec.format === "jpeg" ? "jpg" : "png"}`,
      );
      await writeImage(path, classImage(rng, label, w, h), w, h, spec);
      paths.push(path);
    }
  }
  return paths;
}

export async function writeImage(
  path: string,
  rgb: Uint8Array,
  width: number,
  height: number,
  { format = "png", grey = false }: Pick<FolderSpec, "format" | "grey"> = {},
): Promise<void> {
  let img = sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } });
  if (grey) img = img.toColourspace("b-w");
  await (format === "jpeg" ? img.jpeg({ quality: 95 }) : img.png()).toFile(path);
}
