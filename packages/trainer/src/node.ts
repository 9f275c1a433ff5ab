/**
 * @resnet-ts/trainer/node (Node only): checkpoints on disk. `saveCheckpoint` writes the weights file and,
 * when given the optimizer and progress, the training-state file beside it (`trainStatePath`), each
 * atomically: a temporary file in the same directory, written and fsynced, then renamed over the target.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { LoadResult, Module } from "@resnet-ts/layers";
import {
  applyStateDict,
  type Checkpoint,
  type CheckpointInfo,
  type CheckpointOptions,
  decodeCheckpoint,
  encodeCheckpoint,
} from "./checkpoint.js";

/** The training-state file beside a weights file: `model.safetensors` -> `model.train.safetensors`. */
export function trainStatePath(weightsPath: string): string {
  return weightsPath.endsWith(".safetensors")
    ? `${weightsPath.slice(0, -".safetensors".length)}.train.safetensors`
    : `${weightsPath}.train.safetensors`;
}

/**
 * Writes each file atomically (creating missing folders): all temporaries first (written and fsynced), then the renames in order,
 * then an fsync of the directories. On failure the temporaries are removed and targets not yet renamed
 * over keep their old contents.
 */
export async function writeFilesAtomic(
  files: readonly (readonly [path: string, bytes: Uint8Array])[],
): Promise<void> {
  const temps = files.map(([path]) =>
    join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`),
  );
  let renamed = 0;
  for (const dir of new Set(files.map(([path]) => dirname(path)))) await mkdir(dir, { recursive: true });
  try {
    for (const [i, [, bytes]] of files.entries()) {
      const handle = await open(temps[i]!, "wx");
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const [i, [path]] of files.entries()) {
      await rename(temps[i]!, path);
      renamed++;
    }
  } catch (error) {
    await Promise.all(temps.slice(renamed).map((t) => rm(t, { force: true })));
    throw error;
  }
  for (const dir of new Set(files.map(([path]) => dirname(path)))) await syncDirectory(dir);
}

/** Makes the renames durable; some platforms (Windows) cannot open a directory, which is not an error. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // fsync on a directory is unsupported on some file systems.
  } finally {
    await handle.close();
  }
}

export interface SavedCheckpoint {
  weightsPath: string;
  /** Null when no training state was written (and any stale one beside was removed). */
  trainStatePath: string | null;
  id: string;
}

/**
 * Saves `model`'s weights to `path` (safetensors, PyTorch keys) and, with `optimizer` and `progress`,
 * the training state to `trainStatePath(path)`. The model is read before the first await, so training
 * may continue while the files are written. The training state is renamed into place first, the weights last.
 */
export async function saveCheckpoint(
  path: string,
  model: Module,
  options: CheckpointOptions = {},
): Promise<SavedCheckpoint> {
  const { weights, trainState, id } = encodeCheckpoint(model, options);
  const statePath = trainStatePath(path);
  if (trainState) {
    await writeFilesAtomic([
      [statePath, trainState],
      [path, weights],
    ]);
    return { weightsPath: path, trainStatePath: statePath, id };
  }
  await writeFilesAtomic([[path, weights]]);
  await rm(statePath, { force: true });
  return { weightsPath: path, trainStatePath: null, id };
}

/**
 * Reads a checkpoint: the weights and, when `training` (default true) and the file exists, the training
 * state beside it (which must pair with the weights).
 */
export async function loadCheckpoint(
  path: string,
  { training = true }: { training?: boolean } = {},
): Promise<Checkpoint> {
  const weights = await readFile(path);
  let state: Buffer | null = null;
  if (training) {
    state = await readFile(trainStatePath(path)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
  }
  return decodeCheckpoint(asBytes(weights), state && asBytes(state));
}

/** Loads a weights file into `model`; errors name every missing, unexpected or mis-shaped key. */
export async function loadModelWeights(
  model: Module,
  path: string,
  options: { strict?: boolean } = {},
): Promise<LoadResult & { info: CheckpointInfo }> {
  const { stateDict, info } = await loadCheckpoint(path, { training: false });
  return { ...applyStateDict(model, stateDict, options), info };
}

const asBytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
