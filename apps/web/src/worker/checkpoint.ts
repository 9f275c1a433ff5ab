/**
 * Checkpoints in the worker: the trainer's weights file (the safetensors file the CLI writes: the
 * model's state dict plus the run's metadata, whose config names the model), and loading one (from the
 * CLI, from PyTorch's `safetensors.torch.save_file(net.state_dict())`, or from this page) into the model
 * its config names, with a message that says what is wrong with a bad file.
 */
import { type Preprocessing, parsePreprocessing } from "@resnet-ts/data";
import type { Module } from "@resnet-ts/layers";
import {
  applyStateDict,
  type CheckpointInfo,
  createModel,
  DEFAULT_CONFIG,
  decodeCheckpoint,
  encodeCheckpoint,
  matchKnownModel,
  type TrainConfig,
  type TrainProgress,
} from "@resnet-ts/trainer";

/** The most characters of a loader message shown on the page (a wrong file can list 127 keys). */
const MAX_DETAIL = 600;

export function saveCheckpoint(
  model: Module,
  run: {
    config: TrainConfig | null;
    progress: TrainProgress | null;
    backend: string;
    testAccuracy: number | null;
    /** The data's preprocessing (class names, channels, image size, normalisation), as `resnet-ts train` records it. */
    preprocessing: (Preprocessing & { valFraction?: number }) | null;
  },
): Uint8Array {
  const metadata: Record<string, string | number> = { written_by: "resnet-ts web", backend: run.backend };
  if (run.preprocessing) metadata.preprocessing = JSON.stringify(run.preprocessing);
  if (run.testAccuracy !== null) metadata.test_accuracy = run.testAccuracy;
  return encodeCheckpoint(model, {
    ...(run.config ? { config: run.config } : {}),
    ...(run.progress ? { progress: run.progress } : {}),
    metadata,
  }).weights;
}

/**
 * Decodes `bytes` and loads them into a fresh model of the architecture in the file's config (block
 * arrangement, plain; d2l's ResNet-18 when it has none). Throws a message for the page that names the file.
 */
export function loadCheckpoint(
  bytes: Uint8Array,
  name: string,
): { model: Module; info: CheckpointInfo; preprocessing: Preprocessing | null } {
  let checkpoint: ReturnType<typeof decodeCheckpoint>;
  try {
    checkpoint = decodeCheckpoint(bytes);
  } catch (error) {
    throw new Error(`${name} is not a readable checkpoint: ${clip((error as Error).message)}`);
  }
  const config = checkpoint.info.config ?? DEFAULT_CONFIG;
  const recorded = checkpoint.metadata.preprocessing;
  let preprocessing: Preprocessing | null = null;
  if (recorded !== undefined) {
    try {
      preprocessing = parsePreprocessing(JSON.parse(recorded), `${name}: metadata preprocessing`);
    } catch (error) {
      throw new Error(clip((error as Error).message));
    }
  }
  const channels = preprocessing?.channels ?? 1;
  const classes = preprocessing?.classNames.length ?? 10;
  const model = createModel(config, { inChannels: channels, numClasses: classes });
  const variant =
    config.block === "original" && !config.plain
      ? ""
      : ` in the ${config.plain ? "plain " : ""}${config.block} arrangement`;
  const net =
    config.model === "d2l-resnet18" ? `the d2l ResNet-18${variant}` : `torchvision's ${config.model}`;
  const fits = `${name} does not fit ${net} (${channels} channel(s), ${classes} classes)`;
  const keys = Object.keys(checkpoint.stateDict);
  const keyProblems = compareKeys(Object.keys(model.stateDict()), keys);
  if (keyProblems) {
    // PyTorch's own state dict of a torchvision net has no config: it is for fine-tuning, not continuing.
    const known = matchKnownModel(keys);
    const hint =
      known && known !== config.model
        ? `; they are ${known}'s weights: upload them as pretrained weights to fine-tune them`
        : "";
    throw new Error(`${fits}: ${keyProblems}${hint}`);
  }
  try {
    applyStateDict(model, checkpoint.stateDict);
  } catch (error) {
    throw new Error(`${fits}: ${clip((error as Error).message)}`);
  }
  return { model, info: checkpoint.info, preprocessing };
}

/** A short account of missing and unexpected keys (counts, the first few names), or "" when they match. */
function compareKeys(expected: string[], found: string[]): string {
  const have = new Set(found);
  const want = new Set(expected);
  const missing = expected.filter((k) => !have.has(k));
  const unexpected = found.filter((k) => !want.has(k));
  const list = (keys: string[]) => keys.slice(0, 4).join(", ") + (keys.length > 4 ? ", ..." : "");
  return [
    unexpected.length ? `${unexpected.length} unexpected keys (${list(unexpected)})` : "",
    missing.length ? `${missing.length} of its ${expected.length} keys missing (${list(missing)})` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

const clip = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}...` : text);
