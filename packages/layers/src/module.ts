/**
 * `Module`: the base of every layer, in the shape of PyTorch's nn.Module with camelCase names.
 * A module owns named parameters (trainable tensors), named buffers (state such as running
 * statistics) and named child modules; everything else is derived from those three registries.
 */
import type { Tensor } from "@resnet-ts/tensor";
import type { StateDict, StateSpec, TensorSpec } from "./state.js";
import { checkStateDict, StateDictError } from "./state-check.js";

/** A buffer held as an integer (PyTorch's int64 `num_batches_tracked`), saved as int64. */
interface Int64Buffer {
  get: () => bigint;
  set: (value: bigint) => void;
}

export abstract class Module {
  training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #int64Buffers = new Map<string, Int64Buffer>();
  readonly #children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Runs `forward` (PyTorch's `module(x)`). */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    this.#parameters.set(name, t.requireGrad());
    return t;
  }

  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.#buffers.set(name, t);
    return t;
  }

  protected registerInt64Buffer(name: string, get: () => bigint, set: (value: bigint) => void): void {
    this.#int64Buffers.set(name, { get, set });
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.#children.set(name, m);
    return m;
  }

  children(): Module[] {
    return [...this.#children.values()];
  }

  namedChildren(): [string, Module][] {
    return [...this.#children.entries()];
  }

  /** This module and all below it, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.#children) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  namedParameters(): [string, Tensor][] {
    return this.namedModules().flatMap(([p, m]) =>
      [...m.#parameters].map(([n, t]): [string, Tensor] => [join(p, n), t]),
    );
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    return this.namedModules().flatMap(([p, m]) =>
      [...m.#buffers].map(([n, t]): [string, Tensor] => [join(p, n), t]),
    );
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Sets training mode here and below (BatchNorm uses batch statistics when training). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Number of trainable values. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * The state dict's keys with their dtypes and shapes, in `stateDict()` order, without reading any values:
   * what a loader checks a file against before anything is read back or written.
   */
  stateSpec(): StateSpec {
    return Object.fromEntries(this.#stateEntries().map((e) => [e.key, e.spec]));
  }

  /** Parameters and buffers as host arrays under PyTorch's keys (module by module, parameters first). */
  stateDict(): StateDict {
    const entries = this.#stateEntries();
    return stateDictOf(
      entries,
      entries.map((e) => e.tensor?.dataSync() ?? null),
    );
  }

  /**
   * `stateDict()` read asynchronously: works on a backend whose reads are asynchronous (gpu.js on WebGPU).
   * Every read starts, and the int64 buffers are taken, before it returns: the values are those of now.
   */
  async readStateDict(): Promise<StateDict> {
    const entries = this.#stateEntries();
    const reads = Promise.all(entries.map((e) => e.tensor?.data() ?? null));
    const counts = entries.map((e) => e.int64?.get() ?? null);
    return stateDictOf(entries, await reads, counts);
  }

  /** The state dict's entries in `stateDict()` order: module by module, parameters, buffers, int64 buffers. */
  #stateEntries(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, t] of [...m.#parameters, ...m.#buffers]) {
        entries.push({ key: join(prefix, n), spec: { dtype: "float32", shape: [...t.shape] }, tensor: t });
      }
      for (const [n, b] of m.#int64Buffers) {
        entries.push({ key: join(prefix, n), spec: { dtype: "int64", shape: [] }, int64: b });
      }
    }
    return entries;
  }

  /**
   * Copies values from `dict` into this module's parameters and buffers, as PyTorch's `load_state_dict`:
   * with `strict` (the default) missing and unexpected keys are errors; without, they are returned. An entry
   * of another shape or dtype is always an error. Everything is checked (against `stateSpec()`, reading
   * nothing back) before anything is written, so a StateDictError names every problem at once and leaves
   * the model as it was.
   */
  loadStateDict(dict: StateDict, { strict = true }: { strict?: boolean } = {}): LoadResult {
    const entries = this.#stateEntries();
    const problems = checkStateDict(Object.fromEntries(entries.map((e) => [e.key, e.spec])), dict);
    const { missingKeys, unexpectedKeys } = problems;
    const fatal = strict ? problems : { ...problems, missingKeys: [], unexpectedKeys: [] };
    if (fatal.missingKeys.length || fatal.unexpectedKeys.length || fatal.mismatched.length) {
      throw new StateDictError(fatal);
    }
    for (const e of entries) {
      const entry = dict[e.key];
      if (!entry) continue;
      if (e.tensor) e.tensor.assign(entry.data as Float32Array);
      else e.int64?.set((entry.data as BigInt64Array)[0]!);
    }
    return { missingKeys, unexpectedKeys };
  }
}

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** One state-dict entry: a float32 tensor or an int64 buffer, with its spec. */
interface StateEntry {
  key: string;
  spec: TensorSpec;
  tensor?: Tensor;
  int64?: Int64Buffer;
}

/**
 * A state dict from its entries and the values read back from their tensors (null for the int64 buffers),
 * the int64 buffers' values taken now unless given.
 */
function stateDictOf(
  entries: readonly StateEntry[],
  values: readonly (Float32Array | null)[],
  counts: readonly (bigint | null)[] = entries.map((e) => e.int64?.get() ?? null),
): StateDict {
  const dict: StateDict = {};
  entries.forEach((e, i) => {
    dict[e.key] = e.int64
      ? { ...e.spec, data: BigInt64Array.of(counts[i]!) }
      : { ...e.spec, data: values[i]! };
  });
  return dict;
}
