/**
 * Stochastic gradient descent in the shape of `torch.optim.SGD`: the same hyperparameters, the same
 * update (the in-place `sgdUpdate` kernel), momentum buffers created on a parameter's first update, and a
 * state dict for resuming. Like PyTorch's parameter groups with their own lr, `lrScales` gives each parameter
 * a multiplier of the (scheduled) learning rate, e.g. a fine-tuning head at 10x the backbone's rate.
 */
import { keep, noGrad, sgdUpdate, type Tensor, zeros } from "@resnet-ts/tensor";

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export type SgdHyperparameters = Required<SgdOptions>;

/** The optimizer's state: hyperparameters, steps taken and one momentum buffer per parameter. */
export interface SgdStateDict {
  hyperparameters: SgdHyperparameters;
  /** Calls of `step()` so far. */
  stepCount: number;
  /** One entry per parameter, in order: its momentum buffer, or null before its first momentum update. */
  momentumBuffers: ({ shape: number[]; data: Float32Array } | null)[];
}

/** Throws unless the hyperparameters are ones `torch.optim.SGD` accepts (and finite). */
export function validateSgdOptions(options: SgdOptions): SgdHyperparameters {
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = options;
  const check = (name: string, value: unknown, max = Infinity) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
      const range = max === Infinity ? ">= 0" : `in [0, ${max}]`;
      throw new Error(`SGD: ${name} must be a finite number ${range}, got ${String(value)}`);
    }
  };
  check("lr", lr);
  check("momentum", momentum);
  check("dampening", dampening, 1);
  check("weightDecay", weightDecay);
  if (typeof nesterov !== "boolean")
    throw new Error(`SGD: nesterov must be a boolean, got ${String(nesterov)}`);
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new Error(
      `SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum ${momentum} and dampening ${dampening}`,
    );
  }
  return { lr, momentum, dampening, weightDecay, nesterov };
}

export class SGD {
  readonly params: readonly Tensor[];
  #hyper: SgdHyperparameters;
  #buffers: (Tensor | null)[];
  #stepCount = 0;
  readonly #lrScales: readonly number[] | null;

  constructor(
    params: readonly Tensor[],
    options: SgdOptions,
    { lrScales }: { lrScales?: readonly number[] } = {},
  ) {
    if (params.length === 0) throw new Error("SGD: got an empty parameter list");
    if (new Set(params).size !== params.length) throw new Error("SGD: a parameter appears more than once");
    if (
      lrScales &&
      (lrScales.length !== params.length || lrScales.some((s) => !(s > 0 && Number.isFinite(s))))
    ) {
      throw new Error(`SGD: lrScales must hold one finite multiplier > 0 per parameter (${params.length})`);
    }
    this.#lrScales = lrScales ? [...lrScales] : null;
    this.params = [...params];
    this.#hyper = validateSgdOptions(options);
    this.#buffers = params.map(() => null);
  }

  get hyperparameters(): SgdHyperparameters {
    return { ...this.#hyper };
  }

  /** The learning rate of the next step; schedules set it before each step. */
  get lr(): number {
    return this.#hyper.lr;
  }

  set lr(value: number) {
    this.#hyper = validateSgdOptions({ ...this.#hyper, lr: value });
  }

  get stepCount(): number {
    return this.#stepCount;
  }

  /** Updates every parameter that has a gradient, in place (parameters without one are skipped, as in PyTorch). */
  step(): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = this.#hyper;
    noGrad(() => {
      this.params.forEach((p, i) => {
        if (!p.grad) return;
        let buf = this.#buffers[i] ?? null;
        const firstStep = momentum > 0 && buf === null;
        if (firstStep) {
          buf = keep(zeros(p.shape));
          this.#buffers[i] = buf;
        }
        sgdUpdate(p, p.grad, momentum > 0 ? buf : null, {
          lr: lr * (this.#lrScales?.[i] ?? 1),
          momentum,
          dampening,
          weightDecay,
          nesterov,
          firstStep,
        });
      });
    });
    this.#stepCount++;
  }

  /** Drops every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  stateDict(): SgdStateDict {
    return this.#stateOf(this.#buffers.map((b) => b?.dataSync().slice() ?? null));
  }

  /** `stateDict()` read asynchronously (any backend); every read starts before it returns: the state of now. */
  async readStateDict(): Promise<SgdStateDict> {
    const reads = Promise.all(this.#buffers.map((b) => b?.data() ?? null));
    const { hyperparameters, stepCount } = this;
    return { ...this.#stateOf(await reads), hyperparameters, stepCount };
  }

  /** The state with the momentum buffers' values as read (null: no buffer yet; a buffer has its parameter's shape). */
  #stateOf(values: readonly (Float32Array | null)[]): SgdStateDict {
    return {
      hyperparameters: this.hyperparameters,
      stepCount: this.#stepCount,
      momentumBuffers: values.map((data, i) => (data ? { shape: [...this.params[i]!.shape], data } : null)),
    };
  }

  /** Restores hyperparameters, step count and momentum buffers; shapes must match the parameters. */
  loadStateDict(state: SgdStateDict): void {
    const hyper = validateSgdOptions(state.hyperparameters);
    if (!Number.isInteger(state.stepCount) || state.stepCount < 0) {
      throw new Error(`SGD.loadStateDict: stepCount must be an integer >= 0, got ${state.stepCount}`);
    }
    if (state.momentumBuffers.length !== this.params.length) {
      throw new Error(
        `SGD.loadStateDict: the state has ${state.momentumBuffers.length} momentum entries for ${this.params.length} parameters`,
      );
    }
    state.momentumBuffers.forEach((b, i) => {
      const p = this.params[i]!;
      if (b && (b.shape.length !== p.shape.length || b.shape.some((d, j) => d !== p.shape[j]))) {
        throw new Error(
          `SGD.loadStateDict: momentum buffer ${i} has shape [${b.shape}], its parameter has shape [${p.shape}]`,
        );
      }
      if (b && b.data.length !== p.size) {
        throw new Error(
          `SGD.loadStateDict: momentum buffer ${i} holds ${b.data.length} values, expected ${p.size}`,
        );
      }
    });
    this.dispose();
    this.#hyper = hyper;
    this.#stepCount = state.stepCount;
    this.#buffers = state.momentumBuffers.map((b, i) => {
      if (!b) return null;
      const t = keep(zeros(this.params[i]!.shape));
      t.assign(b.data);
      return t;
    });
  }

  /** Frees the momentum buffers (they are recreated on the next step). */
  dispose(): void {
    for (const b of this.#buffers) b?.dispose();
    this.#buffers = this.params.map(() => null);
  }
}
