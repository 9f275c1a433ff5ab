/**
 * Whole-network parity: a network trained a few steps on a backend must give the reference backend's
 * losses, weights and running statistics, and free everything it made. `compareTraining` runs any
 * network (a `NetworkFactory`); `smallNetwork` is a small residual one built from the core's ops.
 */
import {
  Rng,
  type Tensor,
  adaptiveAvgPool2d,
  add,
  batchNormTrain,
  biasAdd,
  conv2d,
  flatten,
  fromArray,
  getBackend,
  matmul,
  maxPool2d,
  noGrad,
  relu,
  setBackend,
  sgdUpdate,
  softmaxCrossEntropy,
  tidy,
} from "@resnet-ts/tensor";
import type { HostTensor } from "./cases.js";
import { type Tolerance, compareValues } from "./compare.js";

/** A network with its batch, on the backend that was active when it was built. */
export interface Network {
  /** What is compared: every parameter and running statistic, by name. */
  readonly state: Readonly<Record<string, Tensor>>;
  /** One training step on the batch; returns the loss (a scalar the caller reads and disposes). */
  step(): Tensor;
  /** Frees every tensor the network holds. */
  dispose(): void;
}

/** Builds the network on the active backend; every call must give the same values. */
export type NetworkFactory = () => Network;

export interface TrainingOptions {
  /** Training steps (default 1). */
  steps?: number;
  /** Per element, for the losses and the state after the steps (default `DEFAULT_TOLERANCE`). */
  tolerance?: Tolerance;
  /**
   * The largest ||update - reference update|| / ||reference update|| of a tensor the steps moved
   * (default 1e-3): the updates are the small differences the state comparison barely sees.
   */
  updateTolerance?: number;
  /** The backend taken as correct (default `cpu`). */
  reference?: string;
}

export interface TrainingReport {
  /** One line per difference: `<what>: <detail>`; empty when the backend agrees. */
  mismatches: string[];
  /** Tensors compared. */
  tensors: number;
  /**
   * Tensors the reference steps moved, beyond rounding noise (a conv bias before batch norm has a
   * zero gradient in exact arithmetic); a check that none moved would prove nothing.
   */
  moved: number;
}

interface Trained {
  before: Record<string, HostTensor>;
  after: Record<string, HostTensor>;
  losses: number[];
  leaked: number;
}

async function read(state: Readonly<Record<string, Tensor>>): Promise<Record<string, HostTensor>> {
  const entries = Object.entries(state);
  // Asynchronous reads: WebGPU reads no other way.
  const values = await Promise.all(entries.map(([, t]) => t.data()));
  return Object.fromEntries(entries.map(([k, t], i) => [k, { shape: [...t.shape], values: values[i]! }]));
}

async function train(backendName: string, make: NetworkFactory, steps: number): Promise<Trained> {
  const backend = await setBackend(backendName);
  const buffers = backend.memory().buffers;
  const net = make();
  const losses: number[] = [];
  let before: Record<string, HostTensor>;
  let after: Record<string, HostTensor>;
  try {
    before = await read(net.state);
    for (let i = 0; i < steps; i++) {
      const loss = net.step();
      losses.push((await loss.data())[0]!);
      loss.dispose();
    }
    after = await read(net.state);
  } finally {
    net.dispose();
  }
  return { before, after, losses, leaked: backend.memory().buffers - buffers };
}

/** ||(a1 - a0) - (b1 - b0)|| / ||b1 - b0||, or null where the reference update is rounding noise. */
function updateError(a0: Float32Array, a1: Float32Array, b0: Float32Array, b1: Float32Array): number | null {
  let err = 0;
  let norm = 0;
  let scale = 0;
  for (let i = 0; i < b0.length; i++) {
    const want = b1[i]! - b0[i]!;
    err += (a1[i]! - a0[i]! - want) ** 2;
    norm += want ** 2;
    scale = Math.max(scale, Math.abs(b0[i]!));
  }
  return Math.sqrt(norm / b0.length) <= 1e-6 * scale ? null : Math.sqrt(err / norm);
}

/**
 * Trains a network from `make` for `steps` on the reference backend and on `backendName` and lists
 * every difference: the starting state (must be identical: both start from the same values), each
 * step's loss, each tensor after the steps, each moved tensor's update, and storage left allocated
 * after the network is disposed. Restores the backend that was active.
 */
export async function compareTraining(
  backendName: string,
  make: NetworkFactory = smallNetwork,
  options: TrainingOptions = {},
): Promise<TrainingReport> {
  const { steps = 1, tolerance, updateTolerance = 1e-3, reference = "cpu" } = options;
  const previous = getBackend().name;
  try {
    const want = await train(reference, make, steps);
    const got = await train(backendName, make, steps);
    const mismatches: string[] = [];
    const note = (what: string, detail: string | null) => {
      if (detail !== null) mismatches.push(`${what}: ${detail}`);
    };
    want.losses.forEach((loss, i) => {
      const one = (v: number) => ({ shape: [], values: Float32Array.of(v) });
      note(`loss of step ${i + 1}`, compareValues(one(loss), one(got.losses[i]!), tolerance));
    });
    let moved = 0;
    for (const [name, b1] of Object.entries(want.after)) {
      const [a0, a1, b0] = [got.before[name], got.after[name], want.before[name]];
      if (!a0 || !a1 || !b0) {
        note(name, `missing on '${backendName}'`);
        continue;
      }
      note(`${name} before the steps`, compareValues(b0, a0, { rtol: 0, atol: 0 }));
      note(`${name} after ${steps} step(s)`, compareValues(b1, a1, tolerance));
      const update = updateError(a0.values, a1.values, b0.values, b1.values);
      if (update === null) continue;
      moved++;
      if (!(update <= updateTolerance)) {
        note(`${name}'s update`, `relative error ${update.toPrecision(3)} > ${updateTolerance}`);
      }
    }
    if (got.leaked !== 0) note("memory", `memory().buffers changed by ${got.leaked} after dispose`);
    return { mismatches, tensors: Object.keys(want.after).length, moved };
  } finally {
    await setBackend(previous);
  }
}

/**
 * A small residual network and one batch of 6 images (17x17, 10 classes), drawn from `seed`: a 7x7
 * stride-2 stem with batch norm, ReLU and max pool, one basic block (two 3x3 convs with batch norm)
 * with a 1x1 projection shortcut, average pool, linear layer, softmax cross-entropy, plain SGD.
 */
export function smallNetwork(seed = 7): Network {
  const rng = new Rng(seed);
  const draw = (shape: number[], low = -1, high = 1) =>
    fromArray(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(low, high)),
      shape,
    );
  const n = 6;
  const x = draw([n, 1, 17, 17], 0, 1);
  const labels = fromArray(Float32Array.from({ length: n }, (_, i) => i % 10));
  const params: Record<string, Tensor> = {
    w1: draw([8, 1, 7, 7], -0.3, 0.3),
    c1: draw([8]),
    w2: draw([12, 8, 3, 3], -0.2, 0.2),
    c2: draw([12]),
    w3: draw([12, 12, 3, 3], -0.2, 0.2),
    c3: draw([12]),
    w4: draw([12, 8, 1, 1], -0.3, 0.3),
    c4: draw([12]),
    fw: draw([10, 12], -0.3, 0.3),
    fb: draw([10]),
  };
  const stats: Record<string, Tensor> = {};
  for (const [i, c] of [8, 12, 12].entries()) {
    params[`gamma${i + 1}`] = draw([c], 0.5, 1.5);
    params[`beta${i + 1}`] = draw([c]);
    stats[`mean${i + 1}`] = draw([c]);
    stats[`var${i + 1}`] = draw([c], 0.5, 1.5);
  }
  for (const t of Object.values(params)) t.requireGrad();
  const p = (name: string) => params[name]!;
  const bn = (t: Tensor, i: number) =>
    batchNormTrain(t, {
      gamma: p(`gamma${i}`),
      beta: p(`beta${i}`),
      runningMean: stats[`mean${i}`]!,
      runningVar: stats[`var${i}`]!,
      eps: 1e-5,
      momentum: 0.1,
    });
  return {
    state: { ...params, ...stats },
    step: () =>
      tidy(() => {
        let y = relu(bn(conv2d(x, p("w1"), p("c1"), { stride: 2, padding: 3 }), 1));
        y = maxPool2d(y, 3, { stride: 2, padding: 1 });
        const r = relu(bn(conv2d(y, p("w2"), p("c2"), { padding: 1 }), 2));
        const s = bn(conv2d(r, p("w3"), p("c3"), { padding: 1 }), 3);
        y = relu(add(s, conv2d(y, p("w4"), p("c4"))));
        const logits = biasAdd(
          matmul(flatten(adaptiveAvgPool2d(y, 1)), p("fw"), { transposeB: true }),
          p("fb"),
        );
        const loss = softmaxCrossEntropy(logits, labels);
        loss.backward();
        noGrad(() => {
          for (const t of Object.values(params)) {
            sgdUpdate(t, t.grad!, null, { lr: 0.05 });
            t.zeroGrad();
          }
        });
        return loss;
      }),
    dispose: () => {
      for (const t of [...Object.values(params), ...Object.values(stats), x, labels]) t.dispose();
    },
  };
}
