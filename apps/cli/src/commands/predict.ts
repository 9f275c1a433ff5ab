/**
 * `resnet-ts predict`: the top classes, with probabilities, for PNG images (`--image`) or for the first
 * test examples of a data set (`--data`, `--limit`), where the true label is shown too.
 */
import {
  CLASS_NAMES,
  type DataSplits,
  type Normalization,
  type Preprocessing,
  preprocessImage,
  takeFirst,
} from "@resnet-ts/data";
import { decodeImageFile } from "@resnet-ts/data/node";
import { fromArray, noGrad, resizeBilinear, softmax, type Tensor, tidy } from "@resnet-ts/tensor";
import { checkpointShape } from "@resnet-ts/trainer";
import type { Command } from "commander";
import { z } from "zod";
import { selectBackend } from "../backends.js";
import { loadSplits } from "../data.js";
import { readGrayImage } from "../image.js";
import {
  checkFitsData,
  dataOptions,
  modelFromCheckpoint,
  readCheckpoint,
  readPreprocessing,
} from "../model-io.js";
import { parseOptions } from "../options.js";
import { type Output, UsageError } from "../output.js";

const PredictOptions = z.object({
  checkpoint: z.string().min(1),
  image: z.array(z.string()).optional(),
  data: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100_000),
  top: z.coerce.number().int().min(1).max(10),
  invert: z.boolean().optional(),
  backend: z.string().optional(),
});

interface Example {
  name: string;
  /** [channels, height, width] model input. */
  pixels: Float32Array;
  channels: number;
  width: number;
  height: number;
  truth?: number;
}

export function registerPredict(program: Command, output: () => Output): void {
  program
    .command("predict")
    .description("classify PNG images (--image) or the first test examples of a data set (--data)")
    .requiredOption("--checkpoint <path>", "the .safetensors checkpoint")
    .option("--image <files...>", "PNG files (light clothing on a dark background, as in Fashion-MNIST)")
    .option("--data <source>", "fashion-mnist or a folder of IDX files: predict its first test examples")
    .option("--limit <n>", "how many test examples with --data", "10")
    .option("--top <k>", "classes to show per image", "3")
    .option("--invert", "invert --image pixels (for dark objects on a light background)")
    .option("--backend <name>", "backend (default: the fastest that works here)")
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(PredictOptions, raw);
      if (!opts.image === !opts.data)
        throw new UsageError("predict: give either --image FILE... or --data SOURCE");
      const out = output();
      await selectBackend(opts.backend);
      const checkpoint = await readCheckpoint("--checkpoint", opts.checkpoint, { training: false });
      const pre = readPreprocessing(checkpoint, opts.checkpoint);
      const seed = checkpoint.info.config?.seed ?? 0;
      const splits = opts.data ? await loadSplits(opts.data, out, dataOptions(pre, seed)) : null;
      if (splits)
        checkFitsData(checkpointShape(checkpoint.stateDict), splits, "--checkpoint", opts.checkpoint, pre);
      const names = pre?.classNames ?? splits?.classNames ?? CLASS_NAMES;
      // The head must match the data's classes (with --image: the classes it was trained on).
      const classes =
        splits?.classNames.length ??
        pre?.classNames.length ??
        checkpoint.info.data?.classes ??
        CLASS_NAMES.length;
      const { model, resize } = modelFromCheckpoint(checkpoint, opts.checkpoint, classes, out);
      // --image files are fit to the size the checkpoint trained at.
      const side = resize ?? checkpoint.info.data?.rows ?? 28;
      const examples: Example[] = opts.image
        ? await Promise.all(
            opts.image.map(async (file): Promise<Example> => {
              if (pre) return imageExample(file, pre, opts.invert ?? false);
              const { colour, ...img } = await readGrayImage(file);
              if (opts.invert) for (const [i, v] of img.pixels.entries()) img.pixels[i] = 1 - v;
              const changes = [
                ...(colour ? ["converted from colour to grey (BT.601 luma)"] : []),
                ...(img.width !== side || img.height !== side
                  ? [
                      `resized from ${img.width}x${img.height} to ${side}x${side}` +
                        (img.width !== img.height ? " (not square: stretched)" : ""),
                    ]
                  : []),
              ];
              if (changes.length) out.info(`note: ${file}: ${changes.join(", ")}`);
              return { name: file, channels: 1, ...img };
            }),
          )
        : testExamples(splits!, opts.limit, pre?.normalization ?? null);
      let correct = 0;
      for (const ex of examples) {
        const probs = noGrad(() =>
          tidy(() => {
            let x: Tensor = fromArray(ex.pixels, [1, ex.channels, ex.height, ex.width]);
            // Test examples are used as training used them: resized only with a resize.
            const target = opts.image && !pre ? side : resize;
            if (target !== null && (ex.height !== target || ex.width !== target))
              x = resizeBilinear(x, target);
            return softmax(model.call(x)).dataSync();
          }),
        );
        const top = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!).slice(0, opts.top);
        if (ex.truth !== undefined && top[0] === ex.truth) correct++;
        const shown = top.map((k) => `${names[k] ?? k} ${(probs[k]! * 100).toFixed(1)}%`).join(", ");
        out.info(`${ex.name}: ${shown}${ex.truth !== undefined ? `  (true: ${names[ex.truth]})` : ""}`);
        out.record({
          image: ex.name,
          ...(ex.truth !== undefined ? { truth: ex.truth, truthName: names[ex.truth] } : {}),
          top: top.map((k) => ({ class: k, name: names[k] ?? String(k), probability: probs[k] })),
        });
      }
      const labelled = examples.filter((e) => e.truth !== undefined).length;
      if (labelled) out.info(`top-1 correct: ${correct}/${labelled}`);
      out.record({ images: examples.length, ...(labelled ? { accuracy: correct / labelled } : {}) });
    });
}

/** An image file preprocessed as the checkpoint's training images (decoded with sharp). */
async function imageExample(file: string, pre: Preprocessing, invert: boolean): Promise<Example> {
  const raw = await decodeImageFile(file).catch((e: Error) => {
    throw new UsageError(`--image: ${e.message}`);
  });
  if (invert) for (const [i, v] of raw.data.entries()) raw.data[i] = 255 - v;
  const size = pre.imageSize;
  return { name: file, channels: pre.channels, width: size, height: size, pixels: preprocessImage(raw, pre) };
}

function testExamples(splits: DataSplits, limit: number, norm: Normalization | null): Example[] {
  const test = takeFirst(splits.test, limit);
  const px = test.channels * test.rows * test.cols;
  const plane = test.rows * test.cols;
  return Array.from({ length: test.count }, (_, i) => ({
    name: `test[${i}]`,
    channels: test.channels,
    width: test.cols,
    height: test.rows,
    pixels: Float32Array.from(test.images.subarray(i * px, (i + 1) * px), (v, k) => {
      const c = Math.floor(k / plane);
      return norm ? (v / 255 - norm.mean[c]!) / norm.std[c]! : v / 255;
    }),
    truth: test.labels[i]!,
  }));
}
