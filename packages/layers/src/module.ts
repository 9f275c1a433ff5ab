/**
 * `Module`: the base of every layer, in the shape of PyTorch's nn.Module with camelCase names.
 * A module owns named parameters (trainable tensors), named buffers (state such as running
 * statistics) and named child modules; everything else is derived from those three registries.
 */
import type { Tensor } from "@resnet-ts/tensor";
import { fmt, type StateDict, type StateTensor } from "./state.js";

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

  /** Parameters and buffers as host arrays under PyTorch's keys (module by module, parameters first). */
  stateDict(): StateDict {
    const { entries, tensors } = this.#stateEntries();
    return stateDictOf(
      entries,
      tensors.map((t) => t.dataSync()),
    );
  }

  /** `stateDict()` read asynchronously: works on a backend whose reads are asynchronous (gpu.js on WebGPU). */
  async readStateDict(): Promise<StateDict> {
    const { entries, tensors } = this.#stateEntries();
    return stateDictOf(entries, await Promise.all(tensors.map((t) => t.data())));
  }

  /** The state dict's keys in `stateDict()` order, each with its tensor's index in `tensors` or its int64 buffer. */
  #stateEntries(): { entries: StateEntry[]; tensors: Tensor[] } {
    const entries: StateEntry[] = [];
    const tensors: Tensor[] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, t] of [...m.#parameters, ...m.#buffers]) {
        entries.push({ key: join(prefix, n), tensor: tensors.length, shape: [...t.shape] });
        tensors.push(t);
      }
      for (const [n, b] of m.#int64Buffers) entries.push({ key: join(prefix, n), int64: b });
    }
    return { entries, tensors };
  }

  /**
   * Copies values from `dict` into this module's parameters and buffers. With `strict` (the default),
   * missing or unexpected keys throw and name them; a wrong shape or dtype always throws.
   */
  loadStateDict(dict: StateDict, { strict = true }: { strict?: boolean } = {}): LoadResult {
    const targets = new Map<string, { tensor?: Tensor; int64?: Int64Buffer }>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, t] of [...m.#parameters, ...m.#buffers]) targets.set(join(prefix, n), { tensor: t });
      for (const [n, b] of m.#int64Buffers) targets.set(join(prefix, n), { int64: b });
    }
    const missingKeys = [...targets.keys()].filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !targets.has(k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      throw new Error(
        `loadStateDict: keys do not match the model` +
          (missingKeys.length ? `; missing: ${missingKeys.join(", ")}` : "") +
          (unexpectedKeys.length ? `; unexpected: ${unexpectedKeys.join(", ")}` : ""),
      );
    }
    // Check every entry before changing anything, so a bad dict leaves the model as it was.
    const writes: (() => void)[] = [];
    for (const [key, target] of targets) {
      const entry = dict[key];
      if (!entry) continue;
      writes.push(
        target.tensor ? checkFloat(key, target.tensor, entry) : checkInt64(key, target.int64!, entry),
      );
    }
    for (const write of writes) write();
    return { missingKeys, unexpectedKeys };
  }
}

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

function checkFloat(key: string, t: Tensor, entry: StateTensor): () => void {
  const same = entry.shape.length === t.shape.length && entry.shape.every((d, i) => d === t.shape[i]);
  if (!same) {
    throw new Error(`loadStateDict: '${key}' has shape ${fmt(entry.shape)}, expected ${fmt(t.shape)}`);
  }
  if (entry.dtype !== "float32" || !(entry.data instanceof Float32Array)) {
    throw new Error(`loadStateDict: '${key}' has dtype ${entry.dtype}, expected float32`);
  }
  const data = entry.data;
  return () => t.assign(data);
}

function checkInt64(key: string, b: Int64Buffer, entry: StateTensor): () => void {
  if (entry.shape.length !== 0 || entry.data.length !== 1) {
    throw new Error(`loadStateDict: '${key}' has shape ${fmt(entry.shape)}, expected [] (a scalar)`);
  }
  const v = entry.data[0]!;
  return () => b.set(typeof v === "bigint" ? v : BigInt(Math.round(v)));
}

type StateEntry = { key: string; tensor: number; shape: number[] } | { key: string; int64: Int64Buffer };

/** A state dict from its entries and the values read back from their tensors. */
function stateDictOf(entries: readonly StateEntry[], values: readonly Float32Array[]): StateDict {
  const dict: StateDict = {};
  for (const e of entries) {
    dict[e.key] =
      "int64" in e
        ? { dtype: "int64", shape: [], data: BigInt64Array.of(e.int64.get()) }
        : { dtype: "float32", shape: e.shape, data: values[e.tensor]! };
  }
  return dict;
}
