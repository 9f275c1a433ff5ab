/**
 * `Tensor`: a float32 array with a shape, stored on a backend, optionally recording the operation
 * that made it (its `gradFn`) so that `backward()` can compute gradients.
 */
import type { Backend, DataId } from "./backend.js";
import { backward } from "./autograd.js";
import { getBackend, keep, releaseData, retainData, setTensorCheck, track } from "./engine.js";
import { dropSaved } from "./saved.js";
import { shapeSize } from "./shape.js";

/** The local chain rule of one recorded operation: output gradient -> one gradient per input. */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** The tensors whose values `backward` reads (inputs, the output, or tensors the operation made). */
  readonly saved: readonly Tensor[];
  readonly backward: (dy: Tensor) => readonly (Tensor | null)[];
}

export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  readonly backend: Backend;
  /** Whether gradients flow to (and, for leaves, accumulate in) this tensor. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf that requires grad, after `backward()`. */
  grad: Tensor | null = null;
  /** The operation that produced this tensor, when it was recorded. */
  gradFn: GradFn | null = null;
  #dataId: DataId | null;
  /** Whether the storage was freed while the tensor stays a node of the recorded graph (see saved.ts). */
  #released = false;

  constructor(dataId: DataId, shape: readonly number[], backend: Backend = getBackend()) {
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(this.shape);
    this.backend = backend;
    this.#dataId = dataId;
    retainData(dataId);
    track(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.#dataId === null;
  }

  /**
   * Whether only the storage is gone: a forward pass's intermediate that backward does not read (or no
   * longer reads), still a node of the recorded graph. `isDisposed` is true as well.
   */
  get isReleased(): boolean {
    return this.#released;
  }

  /** The backend storage handle; throws once disposed. */
  get dataId(): DataId {
    if (this.#dataId === null) {
      throw new Error(
        this.#released
          ? `Tensor [${this.shape.join(",")}] was used after its storage was freed: it is an intermediate of a ` +
              "module's forward pass that backward does not read (keep() it inside the forward to read it)"
          : `Tensor [${this.shape.join(",")}] was used after dispose()`,
      );
    }
    return this.#dataId;
  }

  dataSync(): Float32Array {
    return this.backend.readSync(this.dataId);
  }

  data(): Promise<Float32Array> {
    return this.backend.read(this.dataId);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new Error(`item: expected a tensor with one element, got shape [${this.shape}]`);
    return this.dataSync()[0]!;
  }

  /** Nested arrays, for printing and tests. */
  toArray(): unknown {
    const flat = Array.from(this.dataSync());
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return flat[offset];
      const stride = shapeSize(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** Marks this tensor as a leaf whose gradient is wanted. Returns `this`. */
  requireGrad(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  /** Backpropagates from this scalar, accumulating into `.grad` of every leaf that requires grad. */
  backward(): void {
    backward(this);
  }

  /** Drops the accumulated gradient. */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }

  /** Sets `.grad` (used by the autograd engine), keeping it alive outside the current scope. */
  setGrad(grad: Tensor | null): void {
    if (grad === this.grad) return;
    this.grad?.dispose();
    this.grad = grad === null ? null : keep(grad);
  }

  /** Replaces the stored values in place (same number of elements). */
  assign(values: Float32Array): void {
    if (values.length !== this.size) {
      throw new Error(`assign: expected ${this.size} values for shape [${this.shape}], got ${values.length}`);
    }
    this.backend.overwrite(this.dataId, values);
  }

  /** Frees the storage (shared storage is freed when its last tensor goes) and the graph node. Safe to call twice. */
  dispose(): void {
    this.releaseStorage();
    this.#released = false;
    const fn = this.gradFn;
    this.gradFn = null;
    if (fn) dropSaved(fn);
  }

  /**
   * Frees the storage but keeps the recorded operation, so that backward can still pass through this
   * tensor (for the autograd engine and `tidyForward`; reading the tensor afterwards throws).
   */
  releaseStorage(): void {
    if (this.#dataId === null) return;
    releaseData(this.backend, this.#dataId);
    this.#dataId = null;
    this.#released = true;
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(",")}], backend=${this.backend.name})`;
  }
}

setTensorCheck((x: unknown): x is Tensor => x instanceof Tensor);
