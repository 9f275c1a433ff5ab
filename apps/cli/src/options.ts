/** Validates a command's raw options with zod; a failure becomes one line naming the flag and the problem. */
import type { z } from "zod";
import { UsageError } from "./output.js";

const flag = (key: PropertyKey) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => {
    const path = issue.path.length
      ? `${flag(issue.path[0]!)}${issue.path.length > 1 ? `.${issue.path.slice(1).join(".")}` : ""}`
      : "options";
    const received = issue.path.length ? (raw as Record<string, unknown>)[String(issue.path[0])] : undefined;
    return `${path}: ${issue.message}${received !== undefined ? ` (got ${JSON.stringify(received)})` : ""}`;
  });
  throw new UsageError(messages.join("; "));
}
