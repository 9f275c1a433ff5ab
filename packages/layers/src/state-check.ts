/**
 * The one check of a state dict against a model's `stateSpec()`: missing and unexpected keys and entries of
 * another shape or dtype, all found in one pass and worded together (a few names of each kind and how many
 * there are; the error object keeps every name). `Module.loadStateDict` throws it; loaders that adapt a
 * file first (pretrained weights) word their key check with it too.
 */
import type { StateSpec, TensorSpec } from "./state.js";

export interface StateMismatch {
  key: string;
  found: TensorSpec;
  expected: TensorSpec;
}

export interface StateDictProblems {
  /** The model's keys the dict lacks, in the model's order. */
  missingKeys: string[];
  /** The dict's keys the model lacks, in the dict's order. */
  unexpectedKeys: string[];
  /** Keys both have, with another shape or dtype, in the model's order. */
  mismatched: StateMismatch[];
  /** How many keys the model has. */
  modelKeys: number;
}

/** Compares `given` (a state dict, or only its spec) with the model's `expected` spec. */
export function checkStateDict(expected: StateSpec, given: StateSpec): StateDictProblems {
  const missingKeys: string[] = [];
  const mismatched: StateMismatch[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const found = given[key];
    if (!found) missingKeys.push(key);
    else if (!sameSpec(found, want)) {
      mismatched.push({ key, found: { dtype: found.dtype, shape: found.shape }, expected: want });
    }
  }
  const unexpectedKeys = Object.keys(given).filter((k) => !(k in expected));
  return { missingKeys, unexpectedKeys, mismatched, modelKeys: Object.keys(expected).length };
}

const sameSpec = (a: TensorSpec, b: TensorSpec) =>
  a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** How many names of each kind a message shows. */
const SHOWN = 5;

const some = (items: string[]) => items.slice(0, SHOWN).join(", ") + (items.length > SHOWN ? ", ..." : "");

const spec = (t: TensorSpec) => `${t.dtype} [${t.shape.join(",")}]`;

/**
 * "missing keys (1 of 6): 0.bias; unexpected keys (1): 9.weight; mismatched shapes or dtypes (1): 5.weight
 * (found float32 [4,3], expected float32 [3,4])", leaving out the kinds that are empty.
 */
export function describeStateDictProblems(p: StateDictProblems): string {
  return [
    p.missingKeys.length
      ? `missing keys (${p.missingKeys.length} of ${p.modelKeys}): ${some(p.missingKeys)}`
      : "",
    p.unexpectedKeys.length ? `unexpected keys (${p.unexpectedKeys.length}): ${some(p.unexpectedKeys)}` : "",
    p.mismatched.length
      ? `mismatched shapes or dtypes (${p.mismatched.length}): ${some(
          p.mismatched.map((m) => `${m.key} (found ${spec(m.found)}, expected ${spec(m.expected)})`),
        )}`
      : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** A state dict that does not fit the model; `detail` is the message without its prefix. */
export class StateDictError extends Error implements StateDictProblems {
  readonly missingKeys: string[];
  readonly unexpectedKeys: string[];
  readonly mismatched: StateMismatch[];
  readonly modelKeys: number;
  readonly detail: string;

  constructor(problems: StateDictProblems) {
    const detail = describeStateDictProblems(problems);
    super(`loadStateDict: the state dict does not fit the model: ${detail}`);
    this.name = "StateDictError";
    this.missingKeys = problems.missingKeys;
    this.unexpectedKeys = problems.unexpectedKeys;
    this.mismatched = problems.mismatched;
    this.modelKeys = problems.modelKeys;
    this.detail = detail;
  }

  /** Whether any key is missing or unexpected (as opposed to only shapes or dtypes that differ). */
  get keysDiffer(): boolean {
    return this.missingKeys.length > 0 || this.unexpectedKeys.length > 0;
  }
}
