/**
 * @resnet-ts/trainer/node (Node only): checkpoints on disk. `saveCheckpoint` writes the weights file at the
 * path given (a plain safetensors file) and, when given the optimizer and progress, the training-state file
 * beside it (`trainStatePath`). The pair is replaced as a unit: at every instant the weights on disk have a
 * matching training state, either `x.train.safetensors` or, during the last two renames of a save,
 * `x.train.<checkpoint_id>.safetensors` (see `saveCheckpoint`), and `loadCheckpoint` finds it.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { LoadResult, Module } from "@resnet-ts/layers";
import {
  type Checkpoint,
  type CheckpointInfo,
  type CheckpointOptions,
  CheckpointPartError,
  decodeCheckpoint,
  encodeCheckpoint,
} from "./checkpoint.js";

const SUFFIX = ".safetensors";

/** The training-state file beside a weights file: `model.safetensors` -> `model.train.safetensors`. */
export function trainStatePath(weightsPath: string): string {
  return weightsPath.endsWith(SUFFIX)
    ? `${weightsPath.slice(0, -SUFFIX.length)}.train${SUFFIX}`
    : `${weightsPath}.train${SUFFIX}`;
}

/** The training state of checkpoint `id` while its save is being completed: `model.train.<id>.safetensors`. */
export function pendingTrainStatePath(weightsPath: string, id: string): string {
  return `${trainStatePath(weightsPath).slice(0, -SUFFIX.length)}.${id}${SUFFIX}`;
}

export interface SaveOptions {
  /**
   * Called before each file operation of the save (with its 0-based index and a description), e.g. to
   * inject a crash in tests. Awaited.
   */
  beforeFileOperation?: (index: number, description: string) => void | Promise<void>;
}

export interface SavedCheckpoint {
  weightsPath: string;
  /** Null when no training state was written (and any stale one beside was removed). */
  trainStatePath: string | null;
  id: string;
  /** Leftovers of interrupted saves of this checkpoint that this save removed. */
  removed: string[];
}

/**
 * Saves `model`'s weights to `path` (safetensors, PyTorch keys) and, with `optimizer` and `progress`, the
 * training state to `trainStatePath(path)`. The model is read before the first await, so training may
 * continue while the files are written. The sequence, each step safe to be killed after:
 *
 * 1. remove the leftovers of interrupted saves of the same checkpoint (temporary files, pending states
 *    that do not pair with the weights on disk; a pending state that does pair is renamed into place first);
 * 2. write and fsync the new training state and weights to temporary files;
 * 3. rename the state to `x.train.<new id>.safetensors` (the old pair is still whole);
 * 4. rename the weights over `x.safetensors` (their pair is now the pending state, which loaders look for);
 * 5. rename the pending state over `x.train.safetensors`, then fsync the folder.
 *
 * Without a training state: the weights go to a temporary file, then the old state is removed, then the
 * weights are renamed into place (a kill in between leaves the old weights, loadable but not resumable).
 */
export async function saveCheckpoint(
  path: string,
  model: Module,
  options: CheckpointOptions = {},
  { beforeFileOperation }: SaveOptions = {},
): Promise<SavedCheckpoint> {
  const { weights, trainState, id } = await encodeCheckpoint(model, options);
  const dir = dirname(path);
  const statePath = trainStatePath(path);
  let index = 0;
  const op = async <T>(description: string, run: () => Promise<T>): Promise<T> => {
    await beforeFileOperation?.(index++, description);
    return run();
  };
  await op(`create the folder ${dir}`, () => mkdir(dir, { recursive: true }));
  const removed = await cleanLeftovers(path, op);

  const temps: string[] = [];
  const writeTemp = async (target: string, bytes: Uint8Array) => {
    const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
    temps.push(temp);
    await op(`write ${temp}`, () => writeSynced(temp, bytes));
    return temp;
  };
  let pending: string | null = null;
  try {
    if (trainState) {
      const stateTemp = await writeTemp(statePath, trainState);
      const weightsTemp = await writeTemp(path, weights);
      pending = pendingTrainStatePath(path, id);
      await op(`rename ${stateTemp} to ${pending}`, () => rename(stateTemp, pending!));
      temps.shift();
      await op(`rename ${weightsTemp} to ${path}`, () => rename(weightsTemp, path));
      temps.shift();
      await op(`rename ${pending} to ${statePath}`, () => rename(pending!, statePath));
      pending = null;
    } else {
      const weightsTemp = await writeTemp(path, weights);
      await op(`remove ${statePath}`, () => rm(statePath, { force: true }));
      await op(`rename ${weightsTemp} to ${path}`, () => rename(weightsTemp, path));
      temps.shift();
    }
  } catch (error) {
    // Failed before the weights were renamed: the old pair is whole; drop what this save wrote.
    const written = await readId(path).catch(() => null);
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    if (pending && written !== id) await rm(pending, { force: true });
    throw error;
  }
  await op(`sync the folder ${dir}`, () => syncDirectory(dir));
  return { weightsPath: path, trainStatePath: trainState ? statePath : null, id, removed };
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Step 1 of a save: removes the temporary files of interrupted saves of `path` (`.x.safetensors.<hex>.tmp`,
 * `.x.train.safetensors.<hex>.tmp`) and pending states that do not pair with the weights on disk; a pending
 * state that pairs with them (a save killed between its last two renames) is renamed into place.
 */
async function cleanLeftovers(
  path: string,
  op: <T>(description: string, run: () => Promise<T>) => Promise<T>,
): Promise<string[]> {
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const weightsName = basename(path);
  const stateName = basename(trainStatePath(path));
  const temp = new RegExp(
    `^\\.(${escapeRegExp(weightsName)}|${escapeRegExp(stateName)})\\.[0-9a-f]{12}\\.tmp$`,
  );
  const pendingPrefix = stateName.slice(0, -SUFFIX.length);
  const pendingName = new RegExp(`^${escapeRegExp(pendingPrefix)}\\.([0-9a-f]{16})${escapeRegExp(SUFFIX)}$`);
  const current = names.some((n) => pendingName.test(n)) ? await readId(path).catch(() => null) : null;
  const removed: string[] = [];
  for (const name of names) {
    const full = join(dir, name);
    const pendingId = pendingName.exec(name)?.[1];
    if (pendingId !== undefined && pendingId === current) {
      await op(`rename ${full} to ${trainStatePath(path)}`, () => rename(full, trainStatePath(path)));
    } else if (pendingId !== undefined || temp.test(name)) {
      await op(`remove ${full}`, () => rm(full, { force: true }));
      removed.push(full);
    }
  }
  return removed;
}

/** The `checkpoint_id` in a safetensors file's header (null when it has none). Reads only the header. */
async function readId(path: string): Promise<string | null> {
  const handle = await open(path, "r");
  try {
    const size = Buffer.alloc(8);
    await handle.read(size, 0, 8, 0);
    const length = Number(size.readBigUInt64LE(0));
    if (length > 100_000_000) return null;
    const header = Buffer.alloc(length);
    await handle.read(header, 0, length, 8);
    const meta = (JSON.parse(header.toString("utf8")) as { __metadata__?: Record<string, string> })
      .__metadata__;
    return meta?.checkpoint_id ?? null;
  } finally {
    await handle.close();
  }
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

/** A checkpoint file that cannot be read or decoded; the message names the file (and which of the pair). */
export class CheckpointFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "CheckpointFileError";
  }
}

async function readCheckpointFile(path: string, role: string): Promise<Buffer | null> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return null;
    throw new CheckpointFileError(path, `cannot read the ${role} ${path} (${e.code ?? e.message})`, e.code);
  });
  if (!info) return null;
  if (info.isDirectory()) {
    throw new CheckpointFileError(
      path,
      `the ${role} ${path} is a directory, expected a .safetensors file`,
      "EISDIR",
    );
  }
  return readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new CheckpointFileError(path, `cannot read the ${role} ${path} (${e.code ?? e.message})`, e.code);
  });
}

/**
 * Reads a checkpoint: the weights and, when `training` (default true) and it exists, the training state that
 * pairs with them (`trainStatePath(path)`, or the pending state of an interrupted save). Errors are
 * CheckpointFileError naming the file: which of the pair is bad, and why.
 */
export async function loadCheckpoint(
  path: string,
  { training = true }: { training?: boolean } = {},
): Promise<Checkpoint> {
  const weights = await readCheckpointFile(path, "weights file");
  if (!weights) throw new CheckpointFileError(path, `${path} does not exist`, "ENOENT");
  let statePath: string | null = null;
  let state: Buffer | null = null;
  if (training) {
    const id = await readId(path).catch(() => null);
    for (const candidate of [...(id ? [pendingTrainStatePath(path, id)] : []), trainStatePath(path)]) {
      state = await readCheckpointFile(candidate, "training state");
      if (state) {
        statePath = candidate;
        break;
      }
    }
  }
  try {
    return decodeCheckpoint(asBytes(weights), state && asBytes(state));
  } catch (error) {
    if (error instanceof CheckpointPartError && error.part === "trainState") {
      throw new CheckpointFileError(
        statePath!,
        `the training state ${statePath} (beside ${path}): ${error.message}`,
      );
    }
    throw new CheckpointFileError(path, `the weights file ${path}: ${(error as Error).message}`);
  }
}

/** Loads a weights file into `model` (`Module.loadStateDict`: a StateDictError names every misfit). */
export async function loadModelWeights(
  model: Module,
  path: string,
  options: { strict?: boolean } = {},
): Promise<LoadResult & { info: CheckpointInfo }> {
  const { stateDict, info } = await loadCheckpoint(path, { training: false });
  return { ...model.loadStateDict(stateDict, options), info };
}

const asBytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
