/**
 * Batch norm: statistics as parallel reductions (per-plane partial sums, then per-channel sums over
 * the batch; the variance in a second pass around the mean, as the reference does), then one thread
 * per element for the normalisation and the input gradient.
 */
import type { TensorInfo } from "@resnet-ts/tensor";
import type { GpujsBackend } from "../backend.js";
import type { Arg } from "../executors/types.js";
import { channelReduce, planeDims } from "./reduce.js";
import { type Impl, kernel, ncs, THREAD } from "./source.js";

/** [N, C, ...] as the shape whose plane view the kernels use ([N, C] becomes [N, C, 1, 1]). */
const view = (shape: readonly number[]) => (shape.length === 2 ? [shape[0]!, shape[1]!, 1, 1] : shape);

const CHANNEL = (c: number) => `const c = tz - Math.floor((tz + 0.5) / ${c}) * ${c};`;

/** y = (x - mean) / sqrt(var + eps) * gamma + beta, one thread per element. */
function normalise(
  backend: GpujsBackend,
  x: TensorInfo,
  stats: { gamma: TensorInfo; beta: TensorInfo; mean: TensorInfo; variance: TensorInfo },
  eps: number,
): TensorInfo {
  const shape = view(x.shape);
  const c = shape[1]!;
  const dims = planeDims(shape);
  const per = (t: TensorInfo) => backend.arg(t, [c, 1, 1]);
  const body = `${THREAD}
${CHANNEL(c)}
const s = g[0][0][c] / Math.sqrt(v[0][0][c] + eps);
return (x[tz][ty][tx] - m[0][0][c]) * s + b[0][0][c];`;
  const args = [
    backend.arg(x, dims),
    per(stats.gamma),
    per(stats.beta),
    per(stats.mean),
    per(stats.variance),
    eps,
  ];
  return backend.output(kernel(["x", "g", "b", "m", "v", "eps"], body), dims, args, x.shape);
}

export const batchNormTrain: Impl<"BatchNormTrain"> = (backend, inputs, { eps, momentum }) => {
  const { x, gamma, beta, runningMean, runningVar } = inputs;
  const shape = view(x.shape);
  const [n, c, s] = ncs(shape);
  const count = n * s;
  const xv = backend.arg(x, planeDims(shape));
  const mean = channelReduce(backend, shape, ["x"], [xv], (at) => at("x"), 1 / count);
  const m = backend.arg(mean);
  const sq = (at: (name: string) => string) => `(${at("x")} - m[0][0][c]) * (${at("x")} - m[0][0][c])`;
  const variance = channelReduce(backend, shape, ["x", "m"], [xv, m], sq, 1 / count);
  const y = normalise(backend, x, { gamma, beta, mean, variance }, eps);
  if (momentum > 0) {
    const v = backend.arg(variance);
    const update = (running: TensorInfo, stat: Arg, factor: number) =>
      backend.replace(
        running,
        kernel(
          ["r", "t", "mo", "f"],
          "return (1 - mo) * r[0][0][this.thread.x] + mo * f * t[0][0][this.thread.x];",
        ),
        [c, 1, 1],
        [backend.arg(running, [c, 1, 1]), stat, momentum, factor],
      );
    update(runningMean, m, 1);
    update(runningVar, v, count / Math.max(count - 1, 1));
  }
  return { y, mean, variance };
};

export const batchNormInfer: Impl<"BatchNormInfer"> = (
  backend,
  { x, gamma, beta, mean, variance },
  { eps },
) => normalise(backend, x, { gamma, beta, mean, variance }, eps);

export const batchNormGrad: Impl<"BatchNormGrad"> = (
  backend,
  { dy, x, gamma, mean, variance },
  { eps, training },
) => {
  const shape = view(x.shape);
  const [n, c, s] = ncs(shape);
  const count = n * s;
  const dims = planeDims(shape);
  const per = (t: TensorInfo) => backend.arg(t, [c, 1, 1]);
  const dyv = backend.arg(dy, dims);
  const xv = backend.arg(x, dims);
  const m = per(mean);
  const v = per(variance);
  const dbeta = channelReduce(backend, shape, ["dy"], [dyv], (at) => at("dy"));
  const dgamma = channelReduce(
    backend,
    shape,
    ["dy", "x", "m", "v", "eps"],
    [dyv, xv, m, v, eps],
    (at) => `${at("dy")} * (${at("x")} - m[0][0][c]) / Math.sqrt(v[0][0][c] + eps)`,
  );
  const body = training
    ? `${THREAD}
${CHANNEL(c)}
const inv = 1 / Math.sqrt(v[0][0][c] + eps);
const xhat = (x[tz][ty][tx] - m[0][0][c]) * inv;
return g[0][0][c] * inv * (dy[tz][ty][tx] - sb[0][0][c] * rc - xhat * sg[0][0][c] * rc);`
    : `${THREAD}
${CHANNEL(c)}
return dy[tz][ty][tx] * g[0][0][c] / Math.sqrt(v[0][0][c] + eps);`;
  const args = [dyv, xv, per(gamma), m, v, backend.arg(dbeta), backend.arg(dgamma), eps, 1 / count];
  const dx = backend.output(
    kernel(["dy", "x", "g", "m", "v", "sb", "sg", "eps", "rc"], body),
    dims,
    args,
    x.shape,
  );
  return { dx, dgamma, dbeta };
};
