/**
 * A small network for end-to-end checks: conv -> batch norm -> relu -> max pool -> adaptive avg pool
 * -> linear -> softmax cross-entropy, trained with plain SGD through the core's ops and autograd.
 */
import {
  adaptiveAvgPool2d,
  batchNormTrain,
  biasAdd,
  conv2d,
  flatten,
  fromArray,
  matmul,
  maxPool2d,
  noGrad,
  relu,
  Rng,
  sgdUpdate,
  softmaxCrossEntropy,
  type Tensor,
  tidy,
} from "@resnet-ts/tensor";

export interface NetConfig {
  batch: number;
  channels: number;
  size: number;
  classes: number;
  kernel: number;
}

export const SMALL: NetConfig = { batch: 4, channels: 6, size: 12, classes: 5, kernel: 3 };

export interface Net {
  params: Record<string, Tensor>;
  stats: Record<string, Tensor>;
  x: Tensor;
  labels: Tensor;
}

/** The network's parameters and one batch, drawn from `seed`, as tensors on the active backend. */
export function makeNet(cfg: NetConfig, seed = 3): Net {
  const rng = new Rng(seed);
  const draw = (shape: number[], scale: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fromArray(
      Float32Array.from({ length: n }, () => rng.uniform(-scale, scale)),
      shape,
    );
  };
  const { batch, channels: c, size, classes, kernel: k } = cfg;
  const params = {
    w1: draw([c, 1, k, k], 1 / k).requireGrad(),
    b1: draw([c], 0.1).requireGrad(),
    gamma: fromArray(new Float32Array(c).fill(1)).requireGrad(),
    beta: fromArray(new Float32Array(c)).requireGrad(),
    wl: draw([classes, c], 0.5).requireGrad(),
    bl: draw([classes], 0.1).requireGrad(),
  };
  const stats = { mean: fromArray(new Float32Array(c)), variance: fromArray(new Float32Array(c).fill(1)) };
  const x = draw([batch, 1, size, size], 1);
  const labels = fromArray(Float32Array.from({ length: batch }, (_, i) => i % classes));
  return { params, stats, x, labels };
}

/** One training step inside `tidy`; returns nothing so that every intermediate is freed. */
export function trainStep(net: Net, lr: number): void {
  const { params: p, stats } = net;
  tidy(() => {
    const h = conv2d(net.x, p.w1!, p.b1!, { stride: 2, padding: 1 });
    const bn = batchNormTrain(h, {
      gamma: p.gamma!,
      beta: p.beta!,
      runningMean: stats.mean!,
      runningVar: stats.variance!,
      eps: 1e-5,
      momentum: 0.1,
    });
    const pooled = adaptiveAvgPool2d(maxPool2d(relu(bn), 3, { stride: 2, padding: 1 }), 1);
    const logits = biasAdd(matmul(flatten(pooled), p.wl!, { transposeB: true }), p.bl!);
    softmaxCrossEntropy(logits, net.labels).backward();
    noGrad(() => {
      for (const t of Object.values(p)) {
        sgdUpdate(t, t.grad!, null, { lr });
        t.zeroGrad();
      }
    });
  });
}

/** Every parameter and running statistic, read back (asynchronously: WebGPU reads no other way). */
export async function snapshot(net: Net): Promise<Record<string, Float32Array>> {
  const all = Object.entries({ ...net.params, ...net.stats });
  const values = await Promise.all(all.map(([, t]) => t.data()));
  return Object.fromEntries(all.map(([k], i) => [k, values[i]!]));
}

/** Trains a fresh copy of the network for `steps` on the active backend; returns its weights. */
export async function trainFresh(
  steps: number,
  lr = 0.1,
  cfg: NetConfig = SMALL,
): Promise<Record<string, Float32Array>> {
  const net = makeNet(cfg);
  for (let i = 0; i < steps; i++) trainStep(net, lr);
  const result = await snapshot(net);
  disposeNet(net);
  return result;
}

export function disposeNet(net: Net): void {
  for (const t of [...Object.values(net.params), ...Object.values(net.stats), net.x, net.labels]) t.dispose();
}
