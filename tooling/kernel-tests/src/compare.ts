/**
 * Runs one kernel case on the reference backend and on the backend under test, and lists where
 * they differ: every output and its shape, every input as it is after the run (the in-place
 * kernels' updates, and proof that the other kernels leave their inputs alone), errors, and
 * storage the kernel left allocated.
 */
import {
  type DataId,
  type KernelName,
  type TensorInfo,
  getBackend,
  runKernel,
  setBackend,
} from "@resnet-ts/tensor";
import type { HostTensor, KernelCase } from "./cases.js";

/**
 * The one tolerance rule of every parity check, element by element: an element passes when it equals
 * the expected value (NaN matching NaN, infinities by sign) or |actual - expected| <= atol + rtol *
 * |expected| + ofMax * max|expected|. By default (ofMax 0) no scale is borrowed from the rest of the
 * output, so an error in a small value (a bias gradient, a loss) is judged on that value. The cases keep
 * their outputs of order 1 (inputs scaled by fan-in), which is what makes one `atol` fit every case.
 * `ofMax` is for algorithms that mix an output's values with its neighbours' (Winograd convolutions),
 * whose error is relative to the largest value they meet rather than to each result.
 */
export interface Tolerance {
  rtol?: number;
  atol?: number;
  ofMax?: number;
}

export const DEFAULT_TOLERANCE: Required<Tolerance> = { rtol: 1e-4, atol: 1e-5, ofMax: 0 };

export interface CompareOptions {
  tolerance?: Tolerance;
  /** The backend whose results are taken as correct; `cpu` by default. */
  reference?: string;
  /** Report storage blocks the kernel leaves allocated (`backend.memory().buffers`); on by default. */
  checkLeaks?: boolean;
}

export interface Mismatch {
  kernel: KernelName;
  case: string;
  /** An output name (`output` when the kernel has one), `<input> after the kernel`, `run` or `memory`. */
  what: string;
  /** One line naming the kernel, case, result, and the worst element. */
  message: string;
}

/** What one kernel run gave: every result by name (see `Mismatch.what`), an error, leaked blocks. */
export interface RunResult {
  results: Map<string, HostTensor>;
  error?: string;
  leaked: number;
}

/** The named tensors a kernel returned. */
function outputsOf(out: unknown): [string, TensorInfo][] {
  if (out === undefined) return [];
  if (typeof out === "object" && out !== null && "dataId" in out) return [["output", out as TensorInfo]];
  return Object.entries(out as Record<string, TensorInfo>);
}

/**
 * Writes the case's inputs to `backendName` (made active), runs the kernel, reads every output and
 * input back and frees it all.
 */
export async function runKernelCase(backendName: string, c: KernelCase): Promise<RunResult> {
  const backend = await setBackend(backendName);
  const before = backend.memory().buffers;
  const owned = new Set<DataId>();
  const results = new Map<string, HostTensor>();
  let error: string | undefined;
  try {
    const inputs: Record<string, TensorInfo> = {};
    for (const [name, t] of Object.entries(c.inputs)) {
      const dataId = backend.write(t.values.slice());
      owned.add(dataId);
      inputs[name] = { dataId, shape: t.shape };
    }
    const out = runKernel(c.kernel, inputs as never, c.attrs as never);
    const outputs = outputsOf(out);
    for (const [, info] of outputs) owned.add(info.dataId);
    for (const [name, info] of outputs) {
      results.set(name, { shape: [...info.shape], values: await backend.read(info.dataId) });
    }
    for (const [name, info] of Object.entries(inputs)) {
      results.set(`${name} after the kernel`, { shape: info.shape, values: await backend.read(info.dataId) });
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    for (const id of owned) backend.disposeData(id);
  }
  return { results, ...(error === undefined ? {} : { error }), leaked: backend.memory().buffers - before };
}

/** Row-major index `i` of `shape` as [a,b,...]. */
function position(shape: readonly number[], i: number): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]!);
    i = Math.floor(i / shape[d]!);
  }
  return `[${idx.join(",")}]`;
}

/** Compares one result by the rule of `Tolerance`; returns a message, or null when every element passes. */
export function compareValues(
  expected: HostTensor,
  actual: HostTensor,
  tolerance?: Tolerance,
): string | null {
  const tol = { ...DEFAULT_TOLERANCE, ...tolerance };
  if (expected.shape.join() !== actual.shape.join()) {
    return `shape [${actual.shape}], expected [${expected.shape}]`;
  }
  if (expected.values.length !== actual.values.length) {
    return `${actual.values.length} values, expected ${expected.values.length}`;
  }
  let bad = 0;
  let worst = -1;
  let worstRatio = 0;
  let worstDiff = 0;
  let largest = 0;
  if (tol.ofMax > 0) for (const e of expected.values) if (Math.abs(e) > largest) largest = Math.abs(e);
  const atol = tol.atol + tol.ofMax * largest;
  for (let i = 0; i < expected.values.length; i++) {
    const e = expected.values[i]!;
    const a = actual.values[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const allowed = atol + tol.rtol * Math.abs(e);
    const ratio = Math.abs(a - e) / allowed;
    if (ratio <= 1) continue;
    bad++;
    if (!(ratio <= worstRatio)) {
      worst = i;
      worstRatio = ratio;
      worstDiff = Math.abs(a - e);
    }
  }
  if (bad === 0) return null;
  return (
    `${bad} of ${expected.values.length} values differ; worst at ${position(expected.shape, worst)}: ` +
    `got ${actual.values[worst]}, expected ${expected.values[worst]} ` +
    `(|diff| ${worstDiff.toPrecision(3)} > atol ${tol.atol} + rtol ${tol.rtol} * |expected|` +
    (tol.ofMax > 0 ? ` + ${tol.ofMax} * max |expected| ${largest.toPrecision(3)})` : ")")
  );
}

/**
 * Runs `kernelCase` on the reference backend and on `backendName` (switching with `setBackend`,
 * then restoring the backend that was active) and returns every difference; an empty list means
 * the backends agree. Throws only when the reference itself fails.
 */
export async function compareKernel(
  backendName: string,
  kernelCase: KernelCase,
  options: CompareOptions = {},
): Promise<Mismatch[]> {
  const { reference = "cpu", checkLeaks = true } = options;
  const { kernel, name } = kernelCase;
  const mismatch = (what: string, detail: string): Mismatch => ({
    kernel,
    case: name,
    what,
    message: `${kernel} [${name}] ${what} on '${backendName}': ${detail}`,
  });
  const previous = getBackend().name;
  try {
    const expected = await runKernelCase(reference, kernelCase);
    if (expected.error !== undefined) {
      throw new Error(
        `compareKernel: the reference '${reference}' failed on ${kernel} [${name}]: ${expected.error}`,
      );
    }
    const actual = await runKernelCase(backendName, kernelCase);
    if (actual.error !== undefined) return [mismatch("run", `threw: ${actual.error}`)];
    const found: Mismatch[] = [];
    for (const [what, exp] of expected.results) {
      const act = actual.results.get(what);
      const problem = act ? compareValues(exp, act, options.tolerance) : "missing";
      if (problem) found.push(mismatch(what, problem));
    }
    for (const what of actual.results.keys()) {
      if (!expected.results.has(what))
        found.push(mismatch(what, "returned, but the reference has no such output"));
    }
    if (checkLeaks && actual.leaked !== 0) {
      found.push(
        mismatch("memory", `memory().buffers changed by ${actual.leaked} after freeing every tensor`),
      );
    }
    return found;
  } finally {
    await setBackend(previous);
  }
}
