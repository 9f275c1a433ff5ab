/** Shape arithmetic and the argument checks every op uses, with messages that name the op and values. */

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export const fmt = (shape: readonly number[]): string => `[${shape.join(",")}]`;

/** Throws unless every dimension is a positive integer. */
export function assertValidShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new Error(`${op}: shape ${fmt(shape)} is invalid; every dimension must be a positive integer`);
    }
  }
}

export function assertRank(op: string, name: string, shape: readonly number[], rank: number): void {
  if (shape.length !== rank) {
    throw new Error(`${op}: ${name} must have rank ${rank}, got shape ${fmt(shape)}`);
  }
}

export function assertSameShape(op: string, a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`${op}: shapes ${fmt(a)} and ${fmt(b)} must be equal`);
  }
}

/** Throws unless `value` is a finite number within [min, max]. */
export function assertFinite(op: string, name: string, value: number, min = -Infinity, max = Infinity): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range = `${min === -Infinity ? "" : `>= ${min}`}${min !== -Infinity && max !== Infinity ? " and " : ""}${max === Infinity ? "" : `<= ${max}`}`;
    throw new Error(`${op}: ${name} must be a finite number${range ? ` ${range}` : ""}, got ${value}`);
  }
}

/** Throws unless `value` is an integer >= min. */
export function assertInt(op: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${op}: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Normalises a number-or-pair argument to a pair. */
export function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}
