/**
 * The engine: the registry of backends and kernels, the active backend, `runKernel`, memory scopes
 * (`tidy`, `keep`) and the gradient mode (`noGrad`). Everything global lives here.
 */
import type { AnyKernelConfig, Backend, DataId, KernelConfig, KernelFunc } from "./backend.js";
import type { KernelAttrs, KernelInputs, KernelName, KernelOutput } from "./kernels.js";
import type { Tensor } from "./tensor.js";

interface BackendEntry {
  factory: () => Backend | Promise<Backend>;
  priority: number;
  instance?: Backend;
}

const backends = new Map<string, BackendEntry>();
const kernels = new Map<string, KernelFunc<KernelName>>();
let active: Backend | null = null;

const kernelKey = (backendName: string, kernelName: string) => `${backendName}/${kernelName}`;

/**
 * Makes a backend available under `name`. Higher `priority` wins when `setBackend()` is called without
 * a name. The factory runs on first use; it may be async (WebAssembly compiles, GPU contexts).
 */
export function registerBackend(
  name: string,
  factory: () => Backend | Promise<Backend>,
  { priority = 0 }: { priority?: number } = {},
): void {
  backends.set(name, { factory, priority });
}

export function registerKernel<K extends KernelName, B extends Backend>(config: KernelConfig<K, B>): void {
  kernels.set(
    kernelKey(config.backendName, config.kernelName),
    config.kernelFunc as unknown as KernelFunc<KernelName>,
  );
}

export function registerKernels<B extends Backend>(configs: readonly AnyKernelConfig<B>[]): void {
  for (const c of configs) {
    // The registry stores every kernel under one erased type; runKernel looks them up by name.
    kernels.set(kernelKey(c.backendName, c.kernelName), c.kernelFunc as unknown as KernelFunc<KernelName>);
  }
}

/** Registered backend names, highest priority first. */
export function listBackends(): string[] {
  return [...backends.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([name]) => name);
}

export function hasKernel(backendName: string, kernelName: KernelName): boolean {
  return kernels.has(kernelKey(backendName, kernelName));
}

/**
 * Makes `name` the active backend (initialising it on first use). Without a name, tries the registered
 * backends from the highest priority down and keeps the first that initialises. Returns the backend.
 */
export async function setBackend(name?: string): Promise<Backend> {
  const candidates = name === undefined ? listBackends() : [name];
  const failures: string[] = [];
  for (const candidate of candidates) {
    const entry = backends.get(candidate);
    if (!entry) {
      throw new Error(`setBackend: unknown backend '${candidate}'; registered: ${listBackends().join(", ")}`);
    }
    try {
      entry.instance ??= await entry.factory();
      active = entry.instance;
      return active;
    } catch (error) {
      if (name !== undefined) throw error;
      failures.push(`${candidate}: ${(error as Error).message}`);
    }
  }
  throw new Error(`setBackend: no backend could start (${failures.join("; ")})`);
}

/** The active backend; the reference `cpu` backend until another is set. */
export function getBackend(): Backend {
  if (active) return active;
  const cpu = backends.get("cpu");
  if (!cpu) throw new Error("getBackend: no backend is active and 'cpu' is not registered");
  const instance = cpu.instance ?? cpu.factory();
  if (instance instanceof Promise) throw new Error("getBackend: the cpu backend must start synchronously");
  cpu.instance = instance;
  active = instance;
  return instance;
}

/** Runs `kernelName` on the active backend; errors name the kernel and the backend when it is missing. */
export function runKernel<K extends KernelName>(
  kernelName: K,
  inputs: KernelInputs<K>,
  attrs: KernelAttrs<K>,
): KernelOutput<K> {
  const backend = getBackend();
  const fn = kernels.get(kernelKey(backend.name, kernelName)) as KernelFunc<K> | undefined;
  if (!fn) {
    const others = listBackends().filter((b) => kernels.has(kernelKey(b, kernelName)));
    throw new Error(
      `Kernel '${kernelName}' is not registered for backend '${backend.name}'` +
        (others.length ? ` (it is registered for: ${others.join(", ")})` : ""),
    );
  }
  return fn(backend, inputs, attrs);
}

// ---- storage reference counts (reshape shares storage) ----

const refCounts = new WeakMap<DataId, number>();

export function retainData(dataId: DataId): void {
  refCounts.set(dataId, (refCounts.get(dataId) ?? 0) + 1);
}

/** Whether more than one tensor holds `dataId` (reshape results share their input's storage). */
export function isDataShared(dataId: DataId): boolean {
  return (refCounts.get(dataId) ?? 0) > 1;
}

export function releaseData(backend: Backend, dataId: DataId): void {
  const n = (refCounts.get(dataId) ?? 1) - 1;
  if (n > 0) {
    refCounts.set(dataId, n);
    return;
  }
  refCounts.delete(dataId);
  backend.disposeData(dataId);
}

// ---- memory scopes ----

const scopes: Set<Tensor>[] = [];

/** Called by every new tensor: the innermost `tidy` scope will dispose it unless it escapes. */
export function track(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Excludes `t` from the scopes it was created in, so it survives them. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(result: unknown, into: Set<Tensor>, isTensor: (x: unknown) => x is Tensor): void {
  if (isTensor(result)) into.add(result);
  else if (Array.isArray(result)) for (const r of result) collect(r, into, isTensor);
  else if (result && typeof result === "object")
    for (const r of Object.values(result)) collect(r, into, isTensor);
}

let tensorCheck: (x: unknown) => x is Tensor = (_x): _x is Tensor => false;
/** Set by tensor.ts so the engine can recognise tensors without importing the class. */
export function setTensorCheck(check: (x: unknown) => x is Tensor): void {
  tensorCheck = check;
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it returns (which move to the
 * enclosing scope) and those passed to `keep`. Use it around a training step to free its intermediates.
 */
export function tidy<T>(fn: () => T): T {
  const { result, created, survivors } = runScope("tidy", fn);
  for (const t of created) {
    if (survivors.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

/**
 * Runs synchronous `fn` in a new scope: returns its result, the tensors created inside (less those passed
 * to `keep`) and those among them that the result holds. When `fn` throws, the scope's tensors are disposed.
 * For `tidy` and `tidyForward`, which decide what to do with the rest; `op` names the caller in errors.
 */
export function runScope<T>(
  op: string,
  fn: () => T,
): { result: T; created: Set<Tensor>; survivors: Set<Tensor> } {
  const created = new Set<Tensor>();
  scopes.push(created);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    for (const t of created) t.dispose();
    throw error;
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    for (const t of created) t.dispose();
    throw new Error(`${op}: the function must be synchronous, it returned a Promise`);
  }
  const survivors = new Set<Tensor>();
  collect(result, survivors, tensorCheck);
  return { result, created, survivors };
}

// ---- gradient mode ----

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording operations for autograd (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
