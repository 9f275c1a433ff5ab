// compare --jobs: the children's arguments come from the compare command's own flag table.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { childArgs } from "../src/compare/child-args.js";
import { registerCompare } from "../src/commands/compare.js";

function compareCommand(): Command {
  const program = new Command().exitOverride();
  registerCompare(program, () => {
    throw new Error("the test replaces the action");
  });
  return program.commands.find((c) => c.name() === "compare")!;
}

/** The raw option values commander gives the action for `args`. */
async function parsed(args: string[]): Promise<Record<string, unknown>> {
  const command = compareCommand();
  let raw: Record<string, unknown> = {};
  command.action((opts: Record<string, unknown>) => {
    raw = opts;
  });
  await command.parent!.parseAsync(["compare", ...args], { from: "user" });
  return raw;
}

const run = { variant: "plain-full-preact", depth: 3, seed: 2 };

describe("compare's child arguments", () => {
  it("pass every flag of the table but the per-run and parent-only ones", () => {
    const { options } = compareCommand();
    const config = Object.fromEntries(options.map((o) => [o.attributeName(), "v"]));
    const args = childArgs(options, config, run);
    const passed = new Set(args.filter((a) => a.startsWith("--")));
    const skipped = options.map((o) => o.long!).filter((flag) => !passed.has(flag));
    expect(skipped.sort()).toEqual(["--preset", "--report-only"]);
    expect(args.filter((a) => a === "--variants")).toHaveLength(1);
  });

  it("give the child the parent's resolved values and the one run", async () => {
    const { options } = compareCommand();
    const config = {
      preset: "original",
      variants: ["original", "plain"],
      depth: [3, "resnet18"],
      seeds: [0, 1, 2],
      steps: 7,
      batchSize: 3,
      lr: 0.1,
      trainLimit: 40,
      testLimit: 20,
      widths: [4, 8, 8],
      resize: undefined,
      recordEvery: 2,
      data: "/some/idx",
      backend: "cpu",
      jobs: 4,
      out: "/some/out",
      reportOnly: false,
    };
    expect(await parsed(childArgs(options, config, run))).toEqual({
      child: true,
      variants: "plain-full-preact",
      depth: "3",
      seeds: "2",
      jobs: "1",
      steps: "7",
      batchSize: "3",
      lr: "0.1",
      trainLimit: "40",
      testLimit: "20",
      widths: "4,8,8",
      recordEvery: "2",
      data: "/some/idx",
      backend: "cpu",
      out: "/some/out",
    });
  });
});
