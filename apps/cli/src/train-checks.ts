/**
 * What `train` checks before it starts, so that a run fails in the first second rather than after an epoch:
 * that `--out` can be written, that `--resume` has something left to do, and which data a run uses (a
 * resumed run continues on the data it recorded, and refuses other data).
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { DataSplits } from "@resnet-ts/data";
import type { Checkpoint, DataRecord, TrainConfig } from "@resnet-ts/trainer";
import { trainStatePath } from "@resnet-ts/trainer/node";
import { dataSource } from "./data.js";
import { UsageError } from "./output.js";

/** Fails unless `out` (and its training-state file) can be written: not folders, in a writable folder. */
export async function checkOut(out: string): Promise<void> {
  for (const path of [out, trainStatePath(out)]) {
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      throw new UsageError(
        `--out: ${path} is a directory; expected the path of a .safetensors file to write`,
      );
    }
  }
  const dir = dirname(resolve(out));
  await mkdir(dir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--out: cannot create the folder ${dir} for ${out} (${e.code ?? e.message})`);
  });
  // A probe named like the save's temporary files, which the next save would remove if it stayed.
  const probe = join(dir, `.${basename(out)}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(probe, "", { flag: "wx" }).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--out: cannot write in the folder ${dir} (${e.code ?? e.message})`);
  });
  await rm(probe, { force: true });
}

/** Fails when a resumed run has nothing left to do under `config` (all epochs or the steps cap done). */
export function checkWorkLeft(resumed: Checkpoint, config: TrainConfig, path: string): void {
  const p = resumed.training!.progress;
  const finished = p.epochsDone + (p.stepsInEpoch >= p.stepsPerEpoch ? 1 : 0);
  if (finished >= config.epochs) {
    throw new UsageError(
      `--resume: this run already did ${finished} epoch${finished === 1 ? "" : "s"} (${p.globalStep} steps), ` +
        `and --epochs is ${config.epochs}; give --epochs ${finished + 1} or more to continue ${path}`,
    );
  }
  if (config.steps !== null && p.globalStep >= config.steps) {
    throw new UsageError(
      `--resume: this run already did ${p.globalStep} steps, and --steps is ${config.steps}; ` +
        `give a larger --steps to continue ${path}`,
    );
  }
}

/**
 * The `--data` source of a run: as given, or for a resumed run the one it recorded (refusing another).
 * Returns the value for loadData and a warning line when a resumed run recorded none.
 */
export function chooseData(
  given: string | undefined,
  resumed: Checkpoint | null,
  resumePath: string | undefined,
): { source: string; warning: string | null } {
  const recorded = resumed?.info.data ?? null;
  if (!resumed) return { source: given ?? "fashion-mnist", warning: null };
  if (!recorded) {
    const source = given ?? "fashion-mnist";
    return {
      source,
      warning:
        `warning: ${resumePath} does not record the data it trained on; continuing on ${source}` +
        (given ? "" : " (give --data if it trained on other data)"),
    };
  }
  if (given !== undefined && dataSource(given) !== recorded.source) {
    throw new UsageError(
      `--data: ${given} is not the data this run trained on (${recorded.source}); resume without --data to ` +
        `continue on it, or start a new run from its weights with --init ${resumePath}`,
    );
  }
  return { source: recorded.source, warning: null };
}

/** What a run trains on, as its checkpoints record it. */
export function dataRecord(source: string, splits: DataSplits, config: TrainConfig): DataRecord {
  return {
    source: dataSource(source),
    loaded: splits.source,
    channels: splits.channels,
    rows: splits.train.rows,
    cols: splits.train.cols,
    classes: splits.classNames.length,
    trainLimit: config.trainLimit,
    testLimit: config.testLimit,
    resize: config.resize,
  };
}

/** Fails when the data loaded for a resumed run is not shaped like the data it recorded. */
export function checkSameData(recorded: DataRecord | null, now: DataRecord): void {
  if (!recorded) return;
  const fields = ["channels", "rows", "cols", "classes"] as const;
  const changed = fields.filter((k) => recorded[k] !== now[k]);
  if (changed.length) {
    throw new UsageError(
      `--resume: the data at ${now.source} changed since this run recorded it: ` +
        changed.map((k) => `${k} ${now[k]}, recorded ${recorded[k]}`).join("; "),
    );
  }
}
