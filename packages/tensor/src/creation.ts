/** Making tensors: constants, copies of host arrays, and seeded random draws. */
import { getBackend } from "./engine.js";
import type { Rng } from "./random.js";
import { assertFinite, assertValidShape, fmt, shapeSize } from "./shape.js";
import { Tensor } from "./tensor.js";

/** A tensor holding a copy of `values` with the given shape (default: 1-D). */
export function fromArray(values: ArrayLike<number>, shape: readonly number[] = [values.length]): Tensor {
  assertValidShapeOrScalar("fromArray", shape);
  if (values.length !== shapeSize(shape)) {
    throw new Error(
      `fromArray: ${values.length} values cannot fill shape ${fmt(shape)} (${shapeSize(shape)})`,
    );
  }
  const backend = getBackend();
  return new Tensor(backend.write(Float32Array.from(values)), shape, backend);
}

export const full = (shape: readonly number[], value: number): Tensor => filled("full", shape, value);
export const zeros = (shape: readonly number[]): Tensor => filled("zeros", shape, 0);
export const ones = (shape: readonly number[]): Tensor => filled("ones", shape, 1);
export const zerosLike = (t: Tensor): Tensor => zeros(t.shape);
export const scalar = (value: number): Tensor => fromArray([value], []);

/** Normal draws with the given mean and standard deviation, from `rng`. */
export function randn(shape: readonly number[], rng: Rng, { mean = 0, std = 1 } = {}): Tensor {
  assertValidShapeOrScalar("randn", shape);
  assertFinite("randn", "mean", mean);
  assertFinite("randn", "std", std, 0);
  const values = new Float32Array(shapeSize(shape));
  for (let i = 0; i < values.length; i++) values[i] = mean + std * rng.normal();
  return fromArray(values, shape);
}

/** Uniform draws in [low, high), from `rng`. */
export function rand(shape: readonly number[], rng: Rng, { low = 0, high = 1 } = {}): Tensor {
  assertValidShapeOrScalar("rand", shape);
  assertFinite("rand", "low", low);
  assertFinite("rand", "high", high, low);
  const values = new Float32Array(shapeSize(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(low, high);
  return fromArray(values, shape);
}

function filled(op: string, shape: readonly number[], value: number): Tensor {
  assertValidShapeOrScalar(op, shape);
  return fromArray(new Float32Array(shapeSize(shape)).fill(value), shape);
}

function assertValidShapeOrScalar(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape))
    throw new Error(`${op}: shape must be an array of dimensions, got ${String(shape)}`);
  assertValidShape(op, shape);
}
