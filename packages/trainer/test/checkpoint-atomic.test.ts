// A write that fails half-way (simulated with a mocked file handle) must leave the old files intact and
// no temporary files behind.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { resolveConfig, Trainer } from "../src/index.js";
import { loadCheckpoint, saveCheckpoint, trainStatePath } from "../src/node.js";
import { tempDir, tinyModel, tinySplits } from "./tiny.js";

const failures = vi.hoisted(() => ({ writesLeft: Infinity }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof fs.open = async (...args: Parameters<typeof fs.open>) => {
    const handle = await fs.open(...args);
    const writeFile = handle.writeFile.bind(handle);
    handle.writeFile = async (...w: Parameters<typeof handle.writeFile>) => {
      if (failures.writesLeft-- <= 0)
        throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      return writeFile(...w);
    };
    return handle;
  };
  return { ...fs, open };
});

describe("atomic checkpoint writes", () => {
  for (const writesBeforeFailure of [0, 1]) {
    it(`keeps the old pair when write ${writesBeforeFailure + 1} of 2 fails`, async () => {
      const dir = tempDir();
      const path = join(dir, "model.safetensors");
      const trainer = new Trainer(
        tinyModel(),
        tinySplits(),
        resolveConfig({ batchSize: 8, momentum: 0.9, steps: 2, eval: false }),
      );
      const old = await saveCheckpoint(path, trainer.model, {
        optimizer: trainer.optimizer,
        progress: trainer.progress,
      });
      const before = [readFileSync(path), readFileSync(trainStatePath(path))];

      await trainer.run();
      failures.writesLeft = writesBeforeFailure;
      try {
        await expect(
          saveCheckpoint(path, trainer.model, { optimizer: trainer.optimizer, progress: trainer.progress }),
        ).rejects.toThrow("ENOSPC");
      } finally {
        failures.writesLeft = Infinity;
      }

      expect(readdirSync(dir).sort()).toEqual(["model.safetensors", "model.train.safetensors"]);
      expect([readFileSync(path), readFileSync(trainStatePath(path))]).toEqual(before);
      expect((await loadCheckpoint(path)).info.id).toBe(old.id);
    });
  }
});
