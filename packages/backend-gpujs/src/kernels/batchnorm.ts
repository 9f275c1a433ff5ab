/**
 * Batch norm: statistics as parallel reductions (per-plane partial sums, then per-channel sums over
 * the batch; the variance in a second pass around the mean, as the reference does), then one thread
 * per element for the normalisation and the input gradient. Training sums each channel around its
 * first value (x[0, c, 0, ...]): float32 sums of values far from zero (near 1000, spread 0.1) lose
 * the spread, the differences keep it.
 */
import type { TensorInfo } from "@resnet-ts/tensor";
import type { GpujsBackend } from "../backend.js";
import type { Arg } from "../executors/types.js";
import { channelReduce, channelTotals, planeDims } from "./reduce.js";
import { type Impl, kernel, ncs, THREAD } from "./source.js";

/** [N, C, ...] as the shape whose plane view the kernels use ([N, C] becomes [N, C, 1, 1]). */
const view = (shape: readonly number[]) => (shape.length === 2 ? [shape[0]!, shape[1]!, 1, 1] : shape);

const CHANNEL = (c: number) => `const c = tz - Math.floor((tz + 0.5) / ${c}) * ${c};`;

/** In a kernel over the plane view of x (which has `c`): channel c's first value, x[0, c, 0, ...]. */
const FIRST = "x[c][0][0]";

/**
 * y = (x - mean) / sqrt(var + eps) * gamma + beta, one thread per element; with `aroundFirst`,
 * `mean` is the mean of x - FIRST.
 */
function normalise(
  backend: GpujsBackend,
  x: TensorInfo,
  stats: { gamma: Arg; beta: Arg; mean: Arg; variance: Arg },
  eps: number,
  aroundFirst = false,
): TensorInfo {
  const shape = view(x.shape);
  const c = shape[1]!;
  const dims = planeDims(shape);
  const per = (a: Arg) => backend.view(a, [c, 1, 1]);
  const body = `${THREAD}
${CHANNEL(c)}
const s = g[0][0][c] / Math.sqrt(v[0][0][c] + eps);
return (x[tz][ty][tx]${aroundFirst ? ` - ${FIRST}` : ""} - m[0][0][c]) * s + b[0][0][c];`;
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
  const shifted = channelTotals(backend, shape, ["x"], [xv], (at) => `(${at("x")} - ${FIRST})`, 1 / count);
  const mean = backend.output(
    kernel(["x", "d"], "return x[this.thread.x][0][0] + d[0][0][this.thread.x];"),
    [c, 1, 1],
    [xv, shifted],
    [c],
  );
  const m = backend.arg(mean);
  const sq = (at: (name: string) => string) =>
    `(${at("x")} - ${FIRST} - d[0][0][c]) * (${at("x")} - ${FIRST} - d[0][0][c])`;
  const variance = channelReduce(backend, shape, ["x", "d"], [xv, shifted], sq, 1 / count);
  const v = backend.arg(variance);
  const y = normalise(
    backend,
    x,
    { gamma: backend.arg(gamma), beta: backend.arg(beta), mean: shifted, variance: v },
    eps,
    true,
  );
  if (momentum > 0) {
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
) =>
  normalise(
    backend,
    x,
    {
      gamma: backend.arg(gamma),
      beta: backend.arg(beta),
      mean: backend.arg(mean),
      variance: backend.arg(variance),
    },
    eps,
  );

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
