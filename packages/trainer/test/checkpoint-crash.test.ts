// Checkpoint pair atomicity under crashes: a child process (test/crash-save-child.mjs, on the built package)
// saves a checkpoint and kills itself with SIGKILL just before file operation k of the save, for every k.
// After each kill the checkpoint must load with a matching training state, equal to either the old pair or
// the new one, and resume; the next save must remove every leftover and leave exactly the pair.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { type Checkpoint, resolveConfig, Trainer } from "../src/index.js";
import { loadCheckpoint, saveCheckpoint } from "../src/node.js";
import { tempDir, tinyModel, tinySplits } from "./tiny.js";

const child = fileURLToPath(new URL("./crash-save-child.mjs", import.meta.url));
const run = promisify(execFile);
// The child's run: 40 examples in batches of 8, momentum (so the state has tensors), no evaluation.
const CONFIG = resolveConfig({ batchSize: 8, momentum: 0.9, eval: false, epochs: 5 });

/** Runs the child; returns whether it was killed and the operations it started. */
async function save(path: string, steps: number, crashAt: number, mode = "pair") {
  try {
    const { stdout } = await run(process.execPath, [child, path, String(steps), String(crashAt), mode]);
    return { killed: false, lines: stdout };
  } catch (e) {
    const err = e as { signal?: string; stdout: string; stderr: string };
    if (err.signal !== "SIGKILL") throw new Error(`the child failed: ${err.stderr}`);
    return { killed: true, lines: err.stdout };
  }
}

/** What a checkpoint holds, without its random id and date. */
const contents = (c: Checkpoint) => ({
  stateDict: c.stateDict,
  step: c.info.step,
  training: c.training && { progress: c.training.progress, optimizer: c.training.optimizer },
});

/** The child's save of `steps` steps, done here (the same model, data and configuration). */
async function saveHere(path: string, steps: number) {
  const trainer = new Trainer(tinyModel(), tinySplits(), { ...CONFIG, steps }, { yieldEvery: 0 });
  await trainer.run();
  const config = trainer.config;
  await saveCheckpoint(path, trainer.model, {
    config,
    optimizer: trainer.optimizer,
    progress: trainer.progress,
  });
}

async function reference(dir: string, steps: number) {
  const path = join(dir, `ref-${steps}`, "m.safetensors");
  await saveHere(path, steps);
  return contents(await loadCheckpoint(path));
}

/** Kills a save from `start` (a folder) at each operation in turn, checking what is left each time. */
async function killAtEveryOperation(root: string, start: string, steps: number, old: unknown, next: unknown) {
  let operations = 0;
  for (let k = 0; ; k++) {
    const dir = join(root, `k${k}`);
    cpSync(start, dir, { recursive: true });
    const path = join(dir, "m.safetensors");
    const { killed, lines } = await save(path, steps, k);
    const loaded = await loadCheckpoint(path);
    expect(loaded.training, `killed before operation ${k}`).not.toBeNull();
    expect([old, next], `killed before operation ${k}:\n${lines}`).toContainEqual(contents(loaded));
    const model = tinyModel();
    model.loadStateDict(loaded.stateDict);
    // The state resumes (the Trainer checks its progress against the configuration), and the next save
    // cleans up after the killed one.
    const resumed = new Trainer(model, tinySplits(), CONFIG, { resume: loaded.training! });
    await saveCheckpoint(path, model, { optimizer: resumed.optimizer, progress: resumed.progress });
    expect(readdirSync(dir).sort(), `after operation ${k}`).toEqual(["m.safetensors", "m.train.safetensors"]);
    if (!killed) {
      expect(contents(loaded)).toEqual(next);
      return operations;
    }
    operations++;
  }
}

describe("checkpoint pair under kill -9", () => {
  it("leaves a loadable, resumable pair, old or new, when killed before any file operation", async () => {
    const root = tempDir();
    const [two, four] = await Promise.all([reference(root, 2), reference(root, 4)]);
    const start = join(root, "start");
    mkdirSync(start);
    await saveHere(join(start, "m.safetensors"), 2);
    const operations = await killAtEveryOperation(root, start, 4, two, four);
    // create folder, 2 temp writes, 3 renames, folder sync
    expect(operations).toBe(7);
  }, 120_000);

  it("cleans up and recovers after interrupted saves (temporary files, pending states) at every operation", async () => {
    const root = tempDir();
    const [four, six] = await Promise.all([reference(root, 4), reference(root, 6)]);
    // Leftovers: save 2 completes, a save of 3 steps is killed before renaming its weights (a temporary
    // weights file and an unpaired pending state stay), a save of 4 steps before its last rename (the
    // weights are new, their state is still the pending file).
    const start = join(root, "start");
    mkdirSync(start);
    const path = join(start, "m.safetensors");
    await saveHere(path, 2);
    const three = await save(path, 3, 4);
    expect(three.lines).toMatch(/"index":4,"description":"rename .*\.tmp to .*m\.safetensors"/);
    const fourKilled = await save(path, 4, 7);
    expect(fourKilled.lines).toMatch(
      /"index":7,"description":"rename .*m\.train\.[0-9a-f]{16}\.safetensors to /,
    );
    expect(readdirSync(start).length).toBe(3);
    expect(contents(await loadCheckpoint(path))).toEqual(four);
    const operations = await killAtEveryOperation(root, start, 6, four, six);
    // + the repair rename of the pending state, no removals left (the killed 4-step save removed them)
    expect(operations).toBe(8);
  }, 120_000);

  it("a weights-only save killed at any operation leaves the old or the new weights", async () => {
    const root = tempDir();
    const start = join(root, "start");
    mkdirSync(start);
    const path = join(start, "m.safetensors");
    await saveHere(path, 2);
    const old = (await loadCheckpoint(path)).stateDict;
    for (let k = 0; ; k++) {
      const dir = join(root, `w${k}`);
      cpSync(start, dir, { recursive: true });
      const { killed } = await save(join(dir, "m.safetensors"), 4, k, "weights-only");
      const loaded = await loadCheckpoint(join(dir, "m.safetensors"));
      if (!killed) {
        expect(loaded.training).toBeNull();
        expect(loaded.stateDict).not.toEqual(old);
        break;
      }
      if (loaded.info.step === 2) expect(loaded.stateDict).toEqual(old);
      else expect(loaded.training).toBeNull();
    }
  }, 60_000);
});
