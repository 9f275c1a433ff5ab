// Resume exactness through the CLI: a checkpoint written at an epoch's end continues at the next epoch
// (one record, one evaluation, the uninterrupted run's numbers), on the data the run recorded; a run with
// nothing left says how far it got; Ctrl-C ends with a JSON result line saying "interrupted".
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, cliInterrupted, jsonLines, tempDir, writeData } from "./helpers.js";

const dir = tempDir();
let data: string;
let other: string;
const common = () => ["--data", data, "--batch-size", "8", "--test-limit", "8", "--seed", "4"];

beforeAll(async () => {
  data = await writeData(join(dir, "data"), { size: 12, train: 24, test: 8 });
  other = await writeData(join(dir, "other"), { size: 12, train: 24, test: 8 });
});

describe("resume", { timeout: 240_000 }, () => {
  it("continues an end-of-epoch checkpoint at the next epoch, exactly, on the recorded data", async () => {
    const straight = await cli("--json", "train", ...common(), "--epochs", "3");
    expect(straight.code, straight.stderr).toBe(0);
    const out = join(dir, "run.safetensors");
    const first = await cli("--json", "train", ...common(), "--epochs", "2", "--out", out);
    expect(first.code, first.stderr).toBe(0);

    // Another data folder is refused; without --data the recorded one is used.
    const wrong = await cli("train", "--resume", out, "--epochs", "3", "--data", other);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(
      /--data: .*other is not the data this run trained on \(.*data\); resume without --data/,
    );

    const resumed = await cli("--json", "train", "--resume", out, "--epochs", "3", "--out", out);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/data: .*\/data: .*, 24 train/);
    expect(resumed.stderr).toContain("(resuming at epoch 3, step 6)");
    expect(resumed.stderr.match(/test acc/g)).toHaveLength(1);
    const lines = jsonLines(resumed.stdout);
    expect(lines.map((l) => l.epoch)).toEqual([3, 3]);
    expect(Number.isFinite(lines[0]!.imagesPerSecond)).toBe(true);
    const pick = ({ loss, trainAccuracy, testAccuracy, testLoss }: Record<string, unknown>) => ({
      loss,
      trainAccuracy,
      testAccuracy,
      testLoss,
    });
    expect(pick(lines[0]!)).toEqual(pick(jsonLines(straight.stdout)[2]!));
    expect(lines[1]).toMatchObject({ steps: 9, reason: "completed", checkpoint: out });

    // Nothing left to do: say how far the run got.
    const done = await cli("train", "--resume", out, "--epochs", "3");
    expect(done.code).not.toBe(0);
    expect(done.stderr).toMatch(
      /--resume: this run already did 3 epochs \(9 steps\), and --epochs is 3; give --epochs 4 or more/,
    );
    const fewer = await cli("train", "--resume", out, "--epochs", "1");
    expect(fewer.stderr).toMatch(/this run already did 3 epochs/);
  });

  it("ends an interrupted run with a JSON result line, and a resume without --out says it saves nothing", async () => {
    const out = join(dir, "stopped.safetensors");
    const r = await cliInterrupted(
      /^epoch 1: /m,
      "--json",
      "train",
      ...common(),
      "--epochs",
      "50",
      "--no-eval",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(130);
    const last = jsonLines(r.stdout).at(-1)!;
    expect(last).toMatchObject({ reason: "interrupted", checkpoint: out });
    expect(last.steps as number).toBeGreaterThan(0);
    const again = await cli(
      "--json",
      "train",
      "--resume",
      out,
      "--steps",
      String((last.steps as number) + 1),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /note: no --out given: this resumed run saves nothing \(give --out .*stopped\.safetensors to keep it\)/,
    );
    expect(jsonLines(again.stdout).at(-1)).toMatchObject({
      steps: (last.steps as number) + 1,
      checkpoint: null,
    });
  });
});
