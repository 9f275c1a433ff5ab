/**
 * `resnet-ts predict`: the top classes, with probabilities, for image files (`--image`) or for the first
 * test examples of a data set (`--data`, `--limit`), where the true label is shown too. A checkpoint that
 * records its preprocessing (class names, channels, image size, normalisation) gets exactly that, with
 * images of any format sharp reads; older ones read PNGs as grey and resize them to the training size.
 */
import { CLASS_NAMES, type Preprocessing, preprocessImage, takeFirst } from "@resnet-ts/data";
import { decodeImageFile } from "@resnet-ts/data/node";
import { fromArray, noGrad, resizeBilinear, softmax, type Tensor, tidy } from "@resnet-ts/tensor";
import type { Command } from "commander";
import { z } from "zod";
import { selectBackend } from "../backends.js";
import { loadSplits } from "../data.js";
import { readGrayImage } from "../image.js";
import { checkFitsData, dataOptions, loadModel, modelShapeOf } from "../model-io.js";
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
    .description("classify image files (--image) or the first test examples of a data set (--data)")
    .requiredOption("--checkpoint <path>", "the .safetensors checkpoint")
    .option(
      "--image <files...>",
      "image files (PNG, JPEG, WebP), preprocessed as the checkpoint's training data; for older Fashion-MNIST checkpoints PNGs with light clothing on a dark background",
    )
    .option("--data <source>", "fashion-mnist or a data folder: predict its first test examples")
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
      const { model, resize, preprocessing: pre, valFraction, info } = await loadModel(opts.checkpoint);
      const names = pre?.classNames ?? CLASS_NAMES;
      const examples: Example[] = opts.image
        ? await Promise.all(opts.image.map((file) => imageExample(file, pre, opts.invert ?? false)))
        : await testExamples(
            opts.data!,
            opts.limit,
            out,
            pre,
            valFraction,
            info.config?.seed ?? 0,
            opts.checkpoint,
            model,
          );
      const side = resize ?? pre?.imageSize ?? 28;
      let correct = 0;
      for (const ex of examples) {
        const probs = noGrad(() =>
          tidy(() => {
            let x: Tensor = fromArray(ex.pixels, [1, ex.channels, ex.height, ex.width]);
            if (ex.height !== side || ex.width !== side) x = resizeBilinear(x, side);
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

async function imageExample(file: string, pre: Preprocessing | null, invert: boolean): Promise<Example> {
  if (!pre) {
    const img = await readGrayImage(file);
    if (invert) for (const [i, v] of img.pixels.entries()) img.pixels[i] = 1 - v;
    return { name: file, channels: 1, ...img };
  }
  const raw = await decodeImageFile(file).catch((e: Error) => {
    throw new UsageError(`--image: ${e.message}`);
  });
  if (invert) for (const [i, v] of raw.data.entries()) raw.data[i] = 255 - v;
  const size = pre.imageSize;
  return { name: file, channels: pre.channels, width: size, height: size, pixels: preprocessImage(raw, pre) };
}

async function testExamples(
  source: string,
  limit: number,
  out: Output,
  pre: Preprocessing | null,
  valFraction: number | null,
  seed: number,
  checkpoint: string,
  model: Parameters<typeof modelShapeOf>[0],
): Promise<Example[]> {
  const data = await loadSplits(source, out, dataOptions(pre, valFraction, seed));
  checkFitsData(modelShapeOf(model), data, checkpoint, pre);
  const test = takeFirst(data.test, limit);
  const px = test.channels * test.rows * test.cols;
  const plane = test.rows * test.cols;
  const norm = pre?.normalization ?? null;
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
