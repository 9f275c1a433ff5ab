/**
 * Where the CLI writes: with `--json`, stdout carries one JSON object per line (the result last) and all
 * human output goes to stderr; without it, human output goes to stdout.
 */
export interface Output {
  readonly json: boolean;
  /** Human-readable text. */
  info(text: string): void;
  /** One JSON line (only with --json). */
  record(value: object): void;
  /** A stream for progress bars (stderr, so stdout stays clean). */
  readonly progressStream: NodeJS.WriteStream;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    info: (text) => (json ? process.stderr : process.stdout).write(`${text}\n`),
    record: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
    },
    progressStream: process.stderr,
  };
}

/** An error the user caused (bad flag, missing file): printed as one line without a stack trace. */
export class UsageError extends Error {}
