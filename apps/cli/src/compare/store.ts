/**
 * A study's output folder: `study.json` holds the training settings its runs share, `runs/<key>.json` one
 * finished run each (written to a temporary name and renamed, so an interrupted study never leaves half a
 * file). A study run again with the same folder and settings skips the runs that are there.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type StudyRun, settingsMismatch, type TrainingSettings } from "@resnet-ts/trainer";
import { UsageError } from "../output.js";

const runsDir = (out: string) => join(out, "runs");
const runFile = (out: string, key: string) => join(runsDir(out), `${key}.json`);

export async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/**
 * Creates `out` (and `out/runs`) for a study trained with `settings`, or checks that an existing one was
 * trained with the same settings; a folder of other settings is refused, naming what differs.
 */
export async function openStudy(out: string, settings: TrainingSettings): Promise<void> {
  await mkdir(runsDir(out), { recursive: true });
  const path = join(out, "study.json");
  let text: string | null = null;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text === null) {
    await writeAtomically(path, `${JSON.stringify(settings, null, 1)}\n`);
    return;
  }
  let stored: TrainingSettings;
  try {
    stored = JSON.parse(text) as TrainingSettings;
  } catch (error) {
    throw new UsageError(`--out: ${path} is not valid JSON (${(error as Error).message})`);
  }
  const mismatch = settingsMismatch(stored, settings);
  if (mismatch) {
    throw new UsageError(
      `--out: ${out} holds runs trained with other settings (${mismatch}); use the same settings to resume, or another --out`,
    );
  }
}

/**
 * Deletes the temporary files of runs that were being saved when a study was killed (the study's own
 * process only: --jobs children may be saving theirs).
 */
export async function removeTemporaries(out: string): Promise<void> {
  const names = await readdir(runsDir(out)).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => n.endsWith(".tmp")).map((n) => rm(join(runsDir(out), n), { force: true })),
  );
}

/** Keys of the finished runs in `out`. */
export async function finishedKeys(out: string): Promise<Set<string>> {
  const names = await readdir(runsDir(out)).catch(() => [] as string[]);
  return new Set(names.filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -".json".length)));
}

export async function saveRun(out: string, key: string, run: StudyRun): Promise<void> {
  await writeAtomically(runFile(out, key), `${JSON.stringify(run)}\n`);
}

export async function loadRun(out: string, key: string): Promise<StudyRun> {
  const path = runFile(out, key);
  try {
    return JSON.parse(await readFile(path, "utf8")) as StudyRun;
  } catch (error) {
    throw new UsageError(
      `--out: cannot read the finished run ${path} (${(error as Error).message}); delete it to redo that run`,
    );
  }
}
