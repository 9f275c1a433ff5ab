/**
 * End-to-end: the built app, served by `vite preview`, in headless Chromium. Trains in the worker
 * (step and loss advance, pause holds the step, resume advances it, the main thread never stalls over
 * 100 ms), downloads a checkpoint that the trainer reads back, evaluates a checkpoint made outside the
 * browser with the same accuracy on the same test examples, reports bad files on the page, and trains
 * on the user's IDX files at 96x96 from the uploaded model, trains a residual arrangement chosen in the form,
 * runs a small comparison of a residual net and its plain twin, and fills in a study preset whose recorded
 * results (docs/compare/study) get a live run's result beside them; trains on the user's images,
 * evaluates a checkpoint `resnet-ts train` wrote on them with the CLI's accuracy and predicted classes, and
 * trains on them with the CLI's default augmentation and normalisation into a checkpoint that records
 * both as the CLI's does and that the CLI predicts alike; fine-tunes torchvision's ResNet-18 from a `.pth`
 * that PyTorch wrote, into a checkpoint that the CLI evaluates and torchvision loads strictly; and, forced
 * with `?measure-backends`, times the training step on each usable backend before training, shows the
 * figures and trains on the fastest.
 * Skipped (with a message) when Chromium is missing; the fine-tuning test also when torchvision is.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { encodeIdxImages, encodeIdxLabels } from "@resnet-ts/data";
import { Rng } from "@resnet-ts/tensor";
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  decodePth,
  encodeSafetensors,
  type RecordedStudy,
  STUDY_PRESETS,
} from "@resnet-ts/trainer";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, buildApp, launchBrowser, serveApp } from "../scripts/browser.mjs";
import { checkpointPath, makeReference, type Reference } from "./checkpoint-reference.js";
import { COLOUR_CLASSES, writeClassFolders } from "./image-fixtures.js";
import { traceMainThread } from "./main-thread-trace.js";
import { savePth, torchvisionLogits, torchvisionMissing } from "./torchvision-weights.js";

const missing = browserMissing();
if (missing) console.warn(`apps/web e2e tests skipped: ${missing}`);
const RECORDED_DEPTH = fileURLToPath(
  new URL("../../../docs/compare/study/depth.summary.json", import.meta.url),
);
const noRecordedStudy = !existsSync(RECORDED_DEPTH);
if (noRecordedStudy) {
  console.warn(
    `apps/web e2e: the study preset test is skipped: ${RECORDED_DEPTH} is missing (run resnet-ts compare --preset depth --out docs/compare/study)`,
  );
}

const noTorchvision = missing ? null : torchvisionMissing();
if (noTorchvision) console.warn(`apps/web e2e: the fine-tuning test is skipped: ${noTorchvision}`);
const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
/** Runs `resnet-ts` with `args`. */
const run = (args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args]);

const ARTIFACTS = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
const TEST_LIMIT = 200;

const text = (page: Page, id: string) =>
  page
    .locator(`[data-testid="${id}"]`)
    .textContent()
    .then((t) => t ?? "");
const step = async (page: Page) => Number(await text(page, "step"));
const waitForState = (page: Page, state: string, timeout = 60_000) =>
  page.waitForFunction((s) => document.querySelector('[data-testid="state"]')?.textContent === s, state, {
    timeout,
  });
const waitForStep = (page: Page, atLeast: number, timeout = 60_000) =>
  page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="step"]')?.textContent) >= n,
    atLeast,
    {
      timeout,
    },
  );

/** Clicks Download and saves the weights file to `path`; returns its suggested name and the decoded checkpoint. */
async function download(page: Page, path: string) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  await file.saveAs(path);
  return {
    name: file.suggestedFilename(),
    checkpoint: decodeCheckpoint(new Uint8Array(await readFile(path))),
  };
}

/** Chooses "Your images" at 16x16 (a new model, not continuing) and picks `root`; returns the load's end state. */
async function pickImages(page: Page, root: string): Promise<string | null> {
  await page.setChecked("#from-loaded", false);
  await page.selectOption("#data", "images");
  await page.fill("#image-size", "16");
  await page.setInputFiles("#image-folder", root);
  await page.waitForFunction(
    () =>
      ["loaded", "failed"].includes(
        document.querySelector<HTMLElement>('[data-testid="images-status"]')?.dataset.state ?? "",
      ),
    undefined,
    { timeout: 60_000 },
  );
  return page.getByTestId("images-status").getAttribute("data-state");
}

describe.skipIf(missing)("web app in headless Chromium", () => {
  let server: Awaited<ReturnType<typeof serveApp>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let reference: Promise<Reference>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "resnet-ts-web-e2e-"));
    reference = makeReference(checkpointPath(dir), { steps: 8, testLimit: TEST_LIMIT });
    reference.catch(() => {});
    await buildApp();
    server = await serveApp();
    browser = await launchBrowser({ downloads: true });
    context = browser.context;
    page = await context.newPage();
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
    await page.goto(server.url);
    // The element must exist and have left "probing..." (before the page renders it, there is no text at all).
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="backend"]')?.textContent;
      return typeof text === "string" && text !== "" && text !== "probing...";
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is cross-origin isolated and picks a backend that is not a software GPU", async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const backend = await text(page, "backend");
    // Headless Chromium's GPUs are SwiftShader (software), so the wasm backend should be chosen.
    expect(backend).toMatch(/^wasm\b/);
  });

  it("validates the settings with the trainer's schema and shows its messages", async () => {
    await page.fill("#lr", "-1");
    await page.fill("#batchSize", "2.5");
    await expect.poll(() => page.textContent('[data-issue-for="lr"]')).toBe("must be greater than 0");
    expect(await page.textContent('[data-issue-for="batchSize"]')).toMatch(
      /must be an integer between 1 and 4096/,
    );
    expect(await page.getByTestId("start").isDisabled()).toBe(true);
    // A preset fills the fields it sets, the test-time augmentation among them.
    await page.selectOption("#preset", "fast");
    expect(await page.inputValue("#tta")).toBe("flip");
    await page.selectOption("#preset", "quick");
    expect(await page.inputValue("#tta")).toBe("none");
    await expect.poll(() => page.getByTestId("start").isDisabled()).toBe(false);
    expect(await page.textContent('[data-issue-for="lr"]')).toBe("");
  });

  it("trains in the worker: step and loss advance, pause holds, resume continues, no main-thread stall", async () => {
    await page.fill("#batchSize", "16");
    await page.fill("#steps", "500");
    await page.fill("#testLimit", "100");
    const mainThread = await traceMainThread(context, page, async () => {
      await page.getByTestId("start").click();
      await waitForStep(page, 2, 120_000);
      const losses = new Set<string>();
      const first = await step(page);
      losses.add(await text(page, "loss"));
      await waitForStep(page, first + 2);
      losses.add(await text(page, "loss"));
      expect(losses.size).toBeGreaterThan(1);
      for (const loss of losses) expect(Number.isFinite(Number(loss))).toBe(true);
      expect(Number(await text(page, "images-per-sec"))).toBeGreaterThan(0);
      expect(await text(page, "backend")).toBe("wasm");

      await page.getByTestId("pause").click();
      await waitForState(page, "paused");
      const paused = await step(page);
      await page.waitForTimeout(2500);
      expect(await step(page)).toBe(paused);
      expect(await text(page, "state")).toBe("paused");
      expect(await text(page, "pause")).toBe("Resume");

      await page.getByTestId("pause").click();
      await waitForStep(page, paused + 2);
      await page.getByTestId("stop").click();
      await waitForState(page, "stopped");
    });
    console.log(`main thread while training: ${JSON.stringify(mainThread)}`);
    // Thread (CPU) time: the page's own work per task; wall time also counts other processes on a busy machine.
    expect(mainThread.tasks).toBeGreaterThan(0);
    expect(mainThread.maxThreadMs).toBeLessThan(100);
  }, 180_000);

  it("downloads the model as a weights file the trainer reads back", async () => {
    const shown = await step(page);
    const { checkpoint } = await download(page, join(dir, "downloaded.safetensors"));
    expect(Object.keys(checkpoint.stateDict)).toHaveLength(127);
    expect(checkpoint.info.format).toBe(CHECKPOINT_FORMAT);
    expect(checkpoint.info.step).toBe(shown);
    expect(checkpoint.info.config?.batchSize).toBe(16);
  });

  it("evaluates a checkpoint made outside the browser with the same accuracy on the same examples", async () => {
    const ref = await reference;
    console.log(`reference checkpoint made by ${ref.madeBy}: ${JSON.stringify(ref)}`);
    await page.selectOption("#data", "10k");
    await page.setInputFiles('[data-testid="upload"]', checkpointPath(dir));
    await expect
      .poll(() => text(page, "checkpoint-info"), { timeout: 30_000 })
      .toMatch(/^loaded reference\.safetensors/);
    // After the upload, whose recipe fills the form (its testLimit too).
    await page.fill("#testLimit", String(TEST_LIMIT));
    await page.getByTestId("evaluate").click();
    await waitForState(page, "done", 120_000);
    expect(await text(page, "error")).toBe("");
    const shown = await page
      .getByTestId("test-accuracy")
      .evaluate((el) => ({ ...(el as HTMLElement).dataset }));
    expect(Number(shown.examples)).toBe(ref.examples);
    expect(Number(shown.value)).toBe(ref.accuracy);
    // Same examples, same weights; the backends may differ (Node vs browser), so the mean loss agrees to float precision.
    expect(Math.abs(Number(shown.loss) - ref.loss) / Math.max(1, ref.loss)).toBeLessThan(1e-4);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "web-e2e.png"), fullPage: true });
  }, 180_000);

  it("says what is wrong with a file that is not a checkpoint, or not this model's", async () => {
    const junk = join(dir, "notes.safetensors");
    await writeFile(junk, "this is not a safetensors file at all");
    await page.setInputFiles('[data-testid="upload"]', junk);
    await expect
      .poll(() => text(page, "error"), { timeout: 20_000 })
      .toMatch(/notes\.safetensors is not a readable checkpoint/);

    const other = join(dir, "other.safetensors");
    const tensor = { dtype: "float32" as const, shape: [2], data: Float32Array.of(1, 2) };
    await writeFile(other, encodeSafetensors({ "fc.weight": tensor }));
    await page.setInputFiles('[data-testid="upload"]', other);
    await expect
      .poll(() => text(page, "error"), { timeout: 20_000 })
      .toMatch(
        /other\.safetensors does not fit the d2l ResNet-18.*: missing keys \(127 of 127\): .*; unexpected keys \(1\): fc\.weight/,
      );
  });

  it("trains on IDX files from the user (one gzipped) at 96x96, continuing from the uploaded model", async () => {
    const rng = new Rng(7);
    const images = (n: number) => Uint8Array.from({ length: n * 28 * 28 }, () => rng.int(256));
    const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
    const files = {
      "train-images-idx3-ubyte.gz": gzipSync(encodeIdxImages(images(64), 64, 28, 28)),
      "train-labels-idx1-ubyte": encodeIdxLabels(labels(64)),
      "t10k-images-idx3-ubyte": encodeIdxImages(images(32), 32, 28, 28),
      "t10k-labels-idx1-ubyte": encodeIdxLabels(labels(32)),
    };
    const paths = await Promise.all(
      Object.entries(files).map(async ([name, bytes]) => {
        await writeFile(join(dir, name), bytes);
        return join(dir, name);
      }),
    );
    await page.setInputFiles("#idx-files", paths);
    await expect.poll(() => page.inputValue("#data")).toBe("idx");
    expect(await page.isChecked("#from-loaded")).toBe(true);
    await page.selectOption("#resize", "96");
    await page.fill("#batchSize", "8");
    await page.fill("#steps", "2");
    await page.fill("#trainLimit", "");
    await page.fill("#testLimit", "16");
    await page.getByTestId("start").click();
    await waitForState(page, "done", 120_000);
    expect(await text(page, "error")).toBe("");
    expect(await step(page)).toBe(2);
    expect(await page.getByTestId("test-accuracy").getAttribute("data-examples")).toBe("16");
    const summary = await text(page, "summary");
    expect(summary).toMatch(/^loaded from reference\.safetensors/);
    expect(summary).toContain("input [1, 1, 96, 96]");
    expect(summary).toContain("[1, 512, 3, 3]");
  }, 180_000);

  it("trains the residual arrangement chosen in the form (full pre-activation, plain)", async () => {
    await page.selectOption("#data", "10k");
    await page.setChecked("#from-loaded", false);
    await page.selectOption("#resize", "28");
    await page.selectOption("#arrangement", "full-preact");
    await page.setChecked("#plain", true);
    await page.selectOption("#tta", "flip"); // the evaluation after the capped epoch scores the mirror images too
    await page.fill("#batchSize", "8");
    await page.fill("#steps", "3");
    await page.fill("#trainLimit", "64");
    await page.fill("#testLimit", "16");
    await page.getByTestId("start").click();
    await waitForState(page, "done", 120_000);
    expect(await text(page, "error")).toBe("");
    expect(await step(page)).toBe(3);
    expect(Number.isFinite(Number(await text(page, "loss")))).toBe(true);
    const summary = await text(page, "summary");
    expect(summary).toMatch(/^new model: ResNet-18, full-preact blocks, plain \(no shortcuts\)/);
  }, 120_000);

  it("compares a residual net with its plain twin: two rows, finite losses, the gradient chart drawn", async () => {
    await page.selectOption("#cmp-depth", "1");
    await page.fill("#cmp-widths", "4,8,8");
    await page.fill("#cmp-steps", "10");
    await page.fill("#cmp-batch", "8");
    await page.fill("#cmp-train", "64");
    await page.fill("#cmp-every", "2");
    await page.getByTestId("compare-start").click();
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid="compare-status"]')?.dataset.state === "done",
      undefined,
      { timeout: 120_000 },
    );
    expect(await text(page, "error")).toBe("");
    expect(await text(page, "compare-status")).toBe("done: 2 variants trained");
    const rows = await page
      .locator('[data-testid="compare-table"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
    expect(rows.map((r) => r.variant)).toEqual(["original", "plain"]);
    for (const row of rows) {
      expect(Number.isFinite(Number(row.finalLoss))).toBe(true);
      expect(Number(row.lowerGradNorm)).toBeGreaterThan(0);
    }
    // Same seed, same batches, different nets: the losses differ.
    expect(rows[0]!.finalLoss).not.toBe(rows[1]!.finalLoss);
    // Both series are drawn on the gradient chart: pixels near each series' colour.
    const drawn = await page.locator('[data-testid="compare-grad-chart"] canvas').evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
      const near = (r: number, g: number, b: number) => {
        let n = 0;
        for (let p = 0; p < data.length; p += 4) {
          const d = Math.abs(data[p]! - r) + Math.abs(data[p + 1]! - g) + Math.abs(data[p + 2]! - b);
          if (data[p + 3]! > 200 && d < 40) n++;
        }
        return n;
      };
      return [near(0x3b, 0x6f, 0xd8), near(0xd8, 0x57, 0x3b)];
    });
    expect(drawn[0]).toBeGreaterThan(10);
    expect(drawn[1]).toBeGreaterThan(10);
  }, 150_000);

  it.skipIf(noRecordedStudy)(
    "a study preset fills in the form and shows the recorded results, a live result beside its row",
    async () => {
      const recorded = JSON.parse(await readFile(RECORDED_DEPTH, "utf8")) as RecordedStudy;
      const preset = STUDY_PRESETS.depth;
      await page.selectOption("#cmp-preset", "depth");
      expect(await page.inputValue("#cmp-steps")).toBe(String(preset.steps));
      expect(await page.inputValue("#cmp-train")).toBe(String(preset.trainLimit));
      expect(await page.inputValue("#cmp-depth")).toBe(String(preset.depths.at(-1)));
      const checked = await page
        .locator(".cmp-variant:checked")
        .evaluateAll((boxes) => boxes.map((b) => (b as HTMLElement).getAttribute("aria-label")));
      expect(checked).toEqual(["original", "plain original"]);
      const recordedRows = () =>
        page.locator('[data-testid="compare-recorded"] tbody tr').evaluateAll((trs) =>
          trs.map((tr) => {
            const { variant, layers, live } = (tr as HTMLElement).dataset;
            return {
              variant,
              layers,
              live,
              cells: [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent ?? ""),
            };
          }),
        );
      const rows = await recordedRows();
      expect(rows.map((r) => `${r.variant}/${r.layers}`)).toEqual(
        recorded.summaries.map((x) => `${x.variant}/${x.layers}`),
      );
      expect(rows[0]!.cells[3]).toContain(recorded.summaries[0]!.finalLoss.mean.toFixed(4));
      // A short live run of one recorded variant: its result lands in that row, marked as other settings.
      await page.selectOption("#cmp-depth", "3");
      await page.uncheck('.cmp-variant[aria-label="plain original"]');
      await page.fill("#cmp-steps", "2");
      await page.fill("#cmp-train", "64");
      await page.getByTestId("compare-start").click();
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="compare-status"]')?.dataset.state === "done",
        undefined,
        { timeout: 120_000 },
      );
      const live = (await recordedRows()).find((r) => r.variant === "original" && r.layers === "20")!;
      expect(live.live).toBe("other-settings");
      expect(Number.isFinite(Number.parseFloat(live.cells[6]!))).toBe(true);
      const others = (await recordedRows()).filter(
        (r) => r !== live && !(r.variant === "original" && r.layers === "20"),
      );
      for (const r of others) expect(r.cells[6]).toBe("");
    },
    150_000,
  );
  it("trains on a picked folder of colour class folders: classes shown first, named in the grid and the matrix", async () => {
    const root = await writeClassFolders(join(dir, "colours"), 6, { "red/notes.txt": "not an image" });
    const state = await pickImages(page, root);
    const status = await text(page, "images-status");
    expect(state, status).toBe("loaded");
    expect(status).toMatch(
      /^colours: class folders, 3 classes \(blue, green, red\), 15 train \/ 3 test images/,
    );
    expect(status).toContain("stored at 3x16x16");
    expect(status).toMatch(/skipping 1 file\(s\) that are not images .* e\.g\. red\/notes\.txt/);
    const rows = await page
      .locator('[data-testid="images-preview"] .class-row')
      .evaluateAll((els) =>
        els.map((e) => [e.querySelector(".class-name")?.textContent, e.querySelectorAll("canvas").length]),
      );
    expect(rows).toEqual([
      ["blue: 5 train / 1 test", 4],
      ["green: 5 train / 1 test", 4],
      ["red: 5 train / 1 test", 4],
    ]);
    await page.fill("#batchSize", "5");
    await page.fill("#epochs", "1");
    await page.fill("#steps", "3");
    await page.fill("#trainLimit", "");
    await page.fill("#testLimit", "");
    await page.getByTestId("start").click();
    await waitForState(page, "done", 120_000);
    expect(await text(page, "error")).toBe("");
    expect(await step(page)).toBe(3);
    expect(Number.isFinite(Number(await text(page, "loss")))).toBe(true);
    expect(await text(page, "summary")).toContain("input [1, 3, 16, 16]");
    const captions = await page.locator("#samples figcaption").allTextContents();
    expect(captions).toHaveLength(3);
    for (const c of captions) expect(c).toMatch(/^(blue|green|red) \/ (blue|green|red)$/);
    const header = await page.locator("#confusion thead th").allTextContents();
    expect(header).toEqual(Object.keys(COLOUR_CLASSES));

    // The weights file records the data's preprocessing as `resnet-ts train` does (augment and normalize
    // auto: RandomCrop at 16 px and the training split's mean/std; checked against the CLI's below).
    const { checkpoint } = await download(page, join(dir, "colours.safetensors"));
    expect(checkpoint.info.config?.augment).toBe("crop");
    const pre = JSON.parse(checkpoint.metadata.preprocessing ?? "null");
    expect(pre).toMatchObject({
      layout: "image-folder",
      classNames: ["blue", "green", "red"],
      channels: 3,
      imageSize: 16,
      normalize: "dataset",
      valFraction: 0.1,
    });
    expect(pre.normalization.mean).toHaveLength(3);
    expect(pre.normalization.std).toHaveLength(3);
  }, 180_000);

  it("says in one line what is wrong with a folder of images, and trains nothing", async () => {
    const cases: [
      string,
      Record<string, Buffer | string>,
      Record<string, [number, number, number]>,
      RegExp,
    ][] = [
      ["single", {}, { red: [210, 40, 40] }, /^single: a single class folder \(red\); expected at least two/],
      [
        "empty",
        { "cat/readme.txt": "x" },
        { red: [210, 40, 40] },
        /^empty\/cat: an empty class folder; expected \.png/,
      ],
      ["nothing", { "a/b.txt": "x", "c.txt": "y" }, {}, /^nothing: no images found; expected class folders/],
      [
        "corrupt",
        { "red/bad.png": Buffer.from("89504e470d0a1a0a0000", "hex") },
        { red: [210, 40, 40], blue: [40, 60, 210] },
        /^corrupt\/red\/bad\.png: cannot decode the image .*expected a complete PNG, JPEG or WebP file$/,
      ],
    ];
    for (const [name, extra, classes, message] of cases) {
      const root = await writeClassFolders(join(dir, name), 2, extra, classes);
      const before = await step(page);
      await page.setInputFiles("#image-folder", root);
      await page.waitForFunction(
        () =>
          document.querySelector<HTMLElement>('[data-testid="images-status"]')?.dataset.state === "failed",
        undefined,
        { timeout: 60_000 },
      );
      expect(await text(page, "images-status"), name).toMatch(message);
      await page.getByTestId("error").evaluate((e) => e.replaceChildren());
      await page.getByTestId("start").click();
      expect(await text(page, "error")).toMatch(/^data: pick a folder of class folders or a \.zip first/);
      expect(await step(page)).toBe(before);
    }
  }, 120_000);
  describe("checkpoints of your images between the CLI and the page", () => {
    // train/ + val/ folders: the test split is val/, in the loaders' order (class by class, round-robin).
    let root: string;
    const valFiles = () =>
      [0, 1].flatMap((k) => Object.keys(COLOUR_CLASSES).map((name) => join(root, "val", name, `${k}.png`)));
    const cliCheckpoint = () => join(dir, "cli-colours.safetensors");
    /** The CLI's top-1 class name for each of `files` under `checkpoint`. */
    const cliPredict = async (checkpoint: string, files: string[]) => {
      const { stdout } = await run([
        "--json",
        "predict",
        "--checkpoint",
        checkpoint,
        "--image",
        ...files,
        "--top",
        "1",
      ]);
      const lines = stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      return lines.filter((l) => l.image).map((l) => l.top[0].name as string);
    };
    /** The grid's predicted class names (captions "predicted / true"). */
    const pagePredictions = async () =>
      (await page.locator("#samples figcaption").allTextContents()).map((c) => c.split(" / ")[0]);

    beforeAll(async () => {
      root = join(dir, "cli-colours");
      await writeClassFolders(join(root, "train"), 8);
      await writeClassFolders(join(root, "val"), 2, {}, COLOUR_CLASSES, 100);
    });

    it("evaluates a checkpoint resnet-ts train wrote (normalize dataset): the CLI's accuracy and predicted classes", async () => {
      await run([
        "train",
        "--data",
        root,
        "--image-size",
        "16",
        "--batch-size",
        "8",
        "--epochs",
        "1",
        "--steps",
        "3",
        "--out",
        cliCheckpoint(),
      ]);
      const written = decodeCheckpoint(new Uint8Array(await readFile(cliCheckpoint())));
      const pre = JSON.parse(written.metadata.preprocessing ?? "null");
      expect(pre.normalize).toBe("dataset");
      const { stdout } = await run(["--json", "eval", "--checkpoint", cliCheckpoint()]);
      const cli = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, number>;

      expect(await pickImages(page, root), await text(page, "images-status")).toBe("loaded");
      await page.setInputFiles('[data-testid="upload"]', cliCheckpoint());
      await expect
        .poll(() => text(page, "checkpoint-info"), { timeout: 30_000 })
        .toMatch(/^loaded cli-colours\.safetensors/);
      await page.fill("#testLimit", "");
      await page.getByTestId("evaluate").click();
      await waitForState(page, "done", 120_000);
      expect(await text(page, "error")).toBe("");
      const shown = await page
        .getByTestId("test-accuracy")
        .evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      expect(Number(shown.examples)).toBe(cli.examples);
      expect(Number(shown.value)).toBe(cli.accuracy);
      // Without the recorded mean/std the inputs differ and so does the loss, far beyond this.
      expect(Math.abs(Number(shown.loss) - cli.loss!) / Math.max(1, cli.loss!)).toBeLessThan(1e-4);
      expect(await pagePredictions()).toEqual(await cliPredict(cliCheckpoint(), valFiles()));
    }, 180_000);

    it("takes a CLI checkpoint's recipe, image size and split settings into the form, reloading the images to match", async () => {
      const written = decodeCheckpoint(new Uint8Array(await readFile(cliCheckpoint())));
      const config = written.info.config!;
      expect(await pickImages(page, root), await text(page, "images-status")).toBe("loaded");
      // Settings unlike the checkpoint's: another size (the images reload at 20), rate, seed and fraction.
      await page.fill("#image-size", "20");
      await page.fill("#val-fraction", "0.3");
      await page.fill("#lr", String(config.lr * 3));
      await page.fill("#seed", String(config.seed + 5));
      await page.locator("#seed").dispatchEvent("change");
      await expect.poll(() => text(page, "images-status"), { timeout: 60_000 }).toMatch(/20x20/);
      // The earlier test chose the same file: it loads again, and the form's size says when it has.
      await page.setInputFiles('[data-testid="upload"]', cliCheckpoint());
      await expect
        .poll(async () => `${await page.inputValue("#image-size")} ${await text(page, "error")}`, {
          timeout: 30_000,
        })
        .toBe("16 ");
      expect(await text(page, "checkpoint-info")).toMatch(/^loaded cli-colours\.safetensors/);
      expect(await page.inputValue("#val-fraction")).toBe("0.1");
      expect(Number(await page.inputValue("#lr"))).toBe(config.lr);
      expect(Number(await page.inputValue("#seed"))).toBe(config.seed);
      expect(Number(await page.inputValue("#batchSize"))).toBe(config.batchSize);
      await expect.poll(() => text(page, "images-status"), { timeout: 60_000 }).toMatch(/16x16/);
      // The model's size and the data's agree again, so evaluating needs no other change.
      await page.getByTestId("evaluate").click();
      await waitForState(page, "done", 120_000);
      expect(await text(page, "error")).toBe("");
    }, 180_000);

    it("trains with augment and normalize auto: the checkpoint records them as resnet-ts train does, the CLI predicts the page's classes", async () => {
      expect(await pickImages(page, root), await text(page, "images-status")).toBe("loaded");
      await page.selectOption("#augment", "auto");
      await page.selectOption("#normalize", "auto");
      await page.selectOption("#arrangement", "original");
      await page.setChecked("#plain", false);
      await page.fill("#batchSize", "8");
      await page.fill("#epochs", "1");
      await page.fill("#steps", "3");
      await page.fill("#trainLimit", "");
      await page.fill("#testLimit", "");
      await page.getByTestId("start").click();
      await waitForState(page, "done", 120_000);
      expect(await text(page, "error")).toBe("");
      expect(await step(page)).toBe(3);

      const path = join(dir, "page-colours.safetensors");
      const { checkpoint } = await download(page, path);
      const cli = decodeCheckpoint(new Uint8Array(await readFile(cliCheckpoint())));
      expect(checkpoint.info.config?.augment).toBe("crop");
      expect(checkpoint.info.config?.augment).toBe(cli.info.config?.augment);
      expect(checkpoint.info.config?.normalize).toBe(cli.info.config?.normalize);
      // The same training images (PNG decodes exactly), so the same mean/std as the CLI computed.
      expect(JSON.parse(checkpoint.metadata.preprocessing ?? "null")).toEqual(
        JSON.parse(cli.metadata.preprocessing ?? "null"),
      );
      expect(await pagePredictions()).toEqual(await cliPredict(path, valFiles()));
    }, 180_000);
  });

  it.skipIf(noTorchvision)(
    "fine-tunes torchvision's resnet18 from a .pth on your images: notes, one-line errors, a checkpoint the CLI and torchvision load",
    async () => {
      const pth = join(dir, "resnet18-10.pth");
      const written = savePth(pth, "resnet18", 10);
      const root = await writeClassFolders(join(dir, "ft"), 5);
      expect(await pickImages(page, root), await text(page, "images-status")).toBe("loaded");
      const info = () => text(page, "pretrained-info");
      const infoState = () => page.getByTestId("pretrained-info").getAttribute("data-state");

      // A file that is not torch.save's: one line, nothing to fine-tune from.
      const junk = join(dir, "junk.pth");
      await writeFile(junk, "not a weights file");
      await page.setInputFiles('[data-testid="pretrained"]', junk);
      await expect.poll(infoState, { timeout: 20_000 }).toBe("failed");
      expect(await info()).toMatch(/^junk\.pth: pth: junk\.pth is not a torch\.save zip/);
      expect(await page.isDisabled('[data-testid="use-pretrained"]')).toBe(true);

      await written;
      await page.setInputFiles('[data-testid="pretrained"]', pth);
      await expect.poll(infoState, { timeout: 30_000 }).toBe("loaded");
      expect(await info()).toBe("read resnet18-10.pth (pth, 122 tensors, resnet18's keys)");
      expect(await page.isChecked('[data-testid="use-pretrained"]')).toBe(true);

      // Weights of another architecture: the loader's one-line error, no training. (Residual arrangements
      // are d2l's: an earlier test left full-preact, plain, which the schema refuses for torchvision's nets.)
      await page.selectOption("#arrangement", "original");
      await page.setChecked("#plain", false);
      await page.selectOption("#model", "resnet34");
      await page.fill("#batchSize", "4");
      await page.fill("#epochs", "1");
      await page.fill("#steps", "2");
      await page.fill("#trainLimit", "");
      await page.fill("#testLimit", "");
      const before = await step(page);
      await page.getByTestId("start").click();
      await waitForState(page, "failed", 60_000);
      expect(await text(page, "error")).toMatch(
        /^training: pretrained: the weights do not fit resnet34: missing keys \(\d+ of \d+\): layer1\.2\.conv1\.weight.*; they are resnet18's weights \(choose that model\)$/,
      );
      expect(await step(page)).toBe(before);

      // resnet18 with the knobs: the head is replaced (10 classes in the file, 3 here), the stem frozen.
      await page.getByTestId("error").evaluate((e) => e.replaceChildren());
      await page.selectOption("#model", "resnet18");
      await page.selectOption("#freeze", "stem");
      await page.setChecked("#freezeBn", true);
      await page.fill("#headLrMult", "10");
      await page.getByTestId("start").click();
      await waitForState(page, "done", 120_000);
      expect(await text(page, "error")).toBe("");
      expect(await step(page)).toBe(2);
      expect(Number.isFinite(Number(await text(page, "loss")))).toBe(true);
      const notes = await page.locator('[data-testid="pretrained-notes"] li').allTextContents();
      expect(notes[0]).toBe("pth weights from resnet18-10.pth loaded into resnet18");
      expect(notes).toContain("head: fc replaced (10 classes in the file, 3 here), freshly initialised");
      expect(notes.at(-1)).toMatch(
        /^freeze stem: 9,536 parameters frozen \(conv1, bn1\), [\d,]+ trained; their BatchNorm layers in eval mode$/,
      );
      const summary = await text(page, "summary");
      expect(summary).toMatch(/^new model: torchvision resnet18 \(fine-tuned from resnet18-10\.pth\)/);
      expect(summary).toContain("input [1, 3, 16, 16]");
      const shown = await page
        .getByTestId("test-accuracy")
        .evaluate((el) => ({ ...(el as HTMLElement).dataset }));

      // The checkpoint names its model and has torchvision's keys.
      const path = join(dir, "fine-tuned.safetensors");
      const { name, checkpoint } = await download(page, path);
      expect(name).toBe("resnet18-step2.safetensors");
      expect(checkpoint.info.config).toMatchObject({ model: "resnet18", freeze: "stem", headLrMult: 10 });
      const torchKeys = Object.keys(decodePth(new Uint8Array(await readFile(pth))).stateDict).sort();
      expect(Object.keys(checkpoint.stateDict).sort()).toEqual(torchKeys);

      // The CLI rebuilds that model from the checkpoint alone and scores the same held-out images alike.
      const { stdout } = await run(["--json", "eval", "--checkpoint", path, "--data", root]);
      const cli = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, number>;
      expect(cli.examples).toBe(Number(shown.examples));
      expect(cli.accuracy).toBe(Number(shown.value));
      expect(Math.abs(cli.loss! - Number(shown.loss)) / Math.max(1, cli.loss!)).toBeLessThan(1e-4);

      // torchvision.models.resnet18(num_classes=3).load_state_dict(..., strict=True) takes it.
      const input = join(dir, "x.safetensors");
      const x = Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => ((i * 37) % 101) / 101);
      await writeFile(input, encodeSafetensors({ x: { dtype: "float32", shape: [2, 3, 16, 16], data: x } }));
      const logits = await torchvisionLogits("resnet18", 3, path, input);
      expect(logits).toHaveLength(6);
      for (const v of logits) expect(Number.isFinite(v)).toBe(true);

      // A batch that cannot fit the 4 GiB WebAssembly heap is refused before training, as by the CLI.
      await page.setChecked('[data-testid="use-pretrained"]', false);
      await page.selectOption("#model", "resnet50");
      await page.selectOption("#freeze", "none");
      await page.fill("#batchSize", "4096");
      await page.getByTestId("start").click();
      await waitForState(page, "failed", 60_000);
      expect(await text(page, "error")).toMatch(
        /^training: batch size: batch 4096 of resnet50 at 3x16x16 needs about \d+\.\d\d GiB, the WebAssembly heap holds 4\.00 GiB; the largest batch that fits is \d+$/,
      );
      expect(await step(page)).toBe(2);
    },
    240_000,
  );
  it("with ?measure-backends, times the training step on each usable backend before training and shows the figures", async () => {
    // No hardware GPU here, so the app only times when forced; SwiftShader's WebGL2 is then a candidate too.
    const forced = await context.newPage();
    try {
      await forced.goto(`${server.url}?measure-backends`);
      await forced.waitForFunction(
        () =>
          (document.querySelector('[data-testid="backend"]')?.textContent ?? "probing...") !== "probing...",
      );
      await forced.selectOption("#preset", "quick");
      await forced.fill("#batchSize", "4");
      await forced.fill("#steps", "1");
      await forced.fill("#trainLimit", "16");
      await forced.fill("#testLimit", "8");
      await forced.getByTestId("start").click();
      await waitForState(forced, "done", 300_000);
      expect(await text(forced, "error")).toBe("");
      const shown = forced.getByTestId("backend-timings");
      const timings = JSON.parse((await shown.getAttribute("data-timings")) ?? "{}") as Record<
        string,
        number | null
      >;
      console.log(`measured choice: ${await text(forced, "backend-timings")}`);
      expect(Object.keys(timings)).toContain("wasm");
      expect(Object.keys(timings)).not.toContain("cpu");
      const rates = Object.entries(timings).filter((e): e is [string, number] => e[1] !== null);
      expect(rates.length).toBeGreaterThan(0);
      const fastest = rates.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
      expect(await shown.getAttribute("data-chosen")).toBe(fastest);
      expect(await text(forced, "backend")).toBe(fastest);
      expect(await text(forced, "backend-timings")).toMatch(/^timed at 28x28, batch 4: .*; training on /);
    } finally {
      await forced.close();
    }
  }, 320_000);
});
