/** Matrix product (Linear's core), bias addition along axis 1, and its gradient, the channel sum. */
import { runKernel } from "../engine.js";
import { zeros } from "../creation.js";
import { assertRank, fmt } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { info, record } from "./record.js";

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** a [M,K] x b [K,N] -> [M,N], either side optionally transposed. */
export function matmul(
  a: Tensor,
  b: Tensor,
  { transposeA = false, transposeB = false }: MatmulOptions = {},
): Tensor {
  assertRank("matmul", "a", a.shape, 2);
  assertRank("matmul", "b", b.shape, 2);
  const ka = transposeA ? a.shape[0] : a.shape[1];
  const kb = transposeB ? b.shape[1] : b.shape[0];
  if (ka !== kb) {
    throw new Error(
      `matmul: inner dimensions differ: a ${fmt(a.shape)}${transposeA ? "^T" : ""} x b ${fmt(b.shape)}${transposeB ? "^T" : ""}`,
    );
  }
  const out = runKernel("MatMul", { a: info("matmul", a), b: info("matmul", b) }, { transposeA, transposeB });
  return record(out, "matmul", [a, b], [a, b], (dy) => [
    a.requiresGrad
      ? transposeA
        ? matmul(b, dy, { transposeA: transposeB, transposeB: true })
        : matmul(dy, b, { transposeB: !transposeB })
      : null,
    b.requiresGrad
      ? transposeB
        ? matmul(dy, a, { transposeA: true, transposeB: transposeA })
        : matmul(a, dy, { transposeA: !transposeA })
      : null,
  ]);
}

/** x [N,C,...] + b [C]. */
export function biasAdd(x: Tensor, b: Tensor): Tensor {
  if (x.rank < 2 || b.rank !== 1 || b.shape[0] !== x.shape[1]) {
    throw new Error(`biasAdd: bias ${fmt(b.shape)} must be [C] for input ${fmt(x.shape)} with C on axis 1`);
  }
  const out = runKernel("BiasAdd", { x: info("biasAdd", x), b: info("biasAdd", b) }, {});
  return record(out, "biasAdd", [x, b], [], (dy) => [dy, b.requiresGrad ? channelSum(dy) : null]);
}

/** Sum over every axis but 1: [N,C,...] -> [C]. */
export function channelSum(x: Tensor): Tensor {
  if (x.rank < 2) throw new Error(`channelSum: expected rank >= 2, got ${fmt(x.shape)}`);
  const out = runKernel("ChannelSum", { x: info("channelSum", x) }, {});
  return record(out, "channelSum", [x], [], (dy) => [biasAdd(zeros(x.shape), dy)]);
}
