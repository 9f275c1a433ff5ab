/**
 * The arguments of a `compare --jobs` child: one run (its variant, depth and seed, `--jobs 1 --child`),
 * and every other flag of the command's table with the parent's resolved value, so that a flag added to
 * the table reaches the children without being listed here. Flags only the parent acts on are not passed.
 */
import type { Option } from "commander";

/** Set per run by `childArgs` itself. */
const PER_RUN = new Set(["variants", "depth", "seeds", "jobs", "child"]);
/** The parent's alone: a preset is already resolved into the values; the children always train. */
const PARENT_ONLY = new Set(["preset", "reportOnly"]);

export interface ChildRun {
  variant: string;
  depth: string | number;
  seed: number;
}

/** `config` holds the parsed values by attribute name (arrays are passed comma-separated). */
export function childArgs(
  options: readonly Option[],
  config: Readonly<Record<string, unknown>>,
  run: ChildRun,
): string[] {
  const args = [
    "--child",
    "--variants",
    run.variant,
    "--depth",
    String(run.depth),
    "--seeds",
    String(run.seed),
  ];
  args.push("--jobs", "1");
  for (const option of options) {
    const key = option.attributeName();
    const value = config[key];
    if (PER_RUN.has(key) || PARENT_ONLY.has(key) || value === undefined || value === false) continue;
    if (!option.long)
      throw new Error(`compare --jobs: the option ${option.flags} has no long flag to pass on`);
    if (value === true) args.push(option.long);
    else args.push(option.long, Array.isArray(value) ? value.join(",") : String(value));
  }
  return args;
}
