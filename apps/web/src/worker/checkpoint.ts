/**
 * Checkpoints in the worker: the trainer's weights file (the safetensors file the CLI writes: the
 * model's state dict plus the run's metadata, whose config names the model), and loading one (from the
 * CLI, from PyTorch's `safetensors.torch.save_file(net.state_dict())`, or from this page) into the model
 * its config names, with a message that says what is wrong with a bad file.
 */
import { CLASS_NAMES, type Preprocessing, parsePreprocessing } from "@resnet-ts/data";
import type { Module } from "@resnet-ts/layers";
import {
  CheckpointFitError,
  type CheckpointInfo,
  decodeCheckpoint,
  encodeCheckpoint,
  modelFromCheckpoint,
  type TrainConfig,
  type TrainProgress,
} from "@resnet-ts/trainer";

/** The most characters of a loader message shown on the page (a wrong file can list 127 keys). */
const MAX_DETAIL = 600;

/** The model's weights file, read asynchronously (`encodeCheckpoint`), with the page's run metadata. */
export function saveCheckpoint(
  model: Module,
  run: {
    config: TrainConfig | null;
    progress: TrainProgress | null;
    backend: string;
    testAccuracy: number | null;
    /** The data's preprocessing (class names, channels, image size, normalisation), as `resnet-ts train` records it. */
    preprocessing: Preprocessing | null;
  },
): Promise<Uint8Array> {
  const metadata: Record<string, string | number> = { written_by: "resnet-ts web", backend: run.backend };
  if (run.preprocessing) metadata.preprocessing = JSON.stringify(run.preprocessing);
  if (run.testAccuracy !== null) metadata.test_accuracy = run.testAccuracy;
  return encodeCheckpoint(model, {
    ...(run.config ? { config: run.config } : {}),
    ...(run.progress ? { progress: run.progress } : {}),
    metadata,
  }).then((encoded) => encoded.weights);
}

/**
 * Decodes `bytes` and loads them into a fresh model of the architecture in the file's config
 * (`modelFromCheckpoint`: the model, its `arrangement`, `plain`; d2l's ResNet-18 when it has none) for the
 * channels and classes its preprocessing records. Throws a message for the page that names the file.
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
  const recorded = checkpoint.metadata.preprocessing;
  let preprocessing: Preprocessing | null = null;
  if (recorded !== undefined) {
    try {
      preprocessing = parsePreprocessing(JSON.parse(recorded), `${name}: metadata preprocessing`);
    } catch (error) {
      throw new Error(clip((error as Error).message));
    }
  }
  let model: Module;
  try {
    model = modelFromCheckpoint(checkpoint, {
      inChannels: preprocessing?.channels ?? 1,
      classes: preprocessing?.classNames.length ?? CLASS_NAMES.length,
    });
  } catch (error) {
    if (!(error instanceof CheckpointFitError)) throw error;
    throw new Error(`${name} ${clip(error.message)}`);
  }
  return { model, info: checkpoint.info, preprocessing };
}

const clip = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}...` : text);
