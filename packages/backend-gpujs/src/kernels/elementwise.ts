/**
 * Elementwise kernels, the bias broadcast along axis 1 and the reductions. Elementwise kernels run one
 * thread per element over `elementwiseDims` (long rows in the array modes and webgpu, the first input's
 * dims elsewhere), indexed by the thread ids themselves; the sums run reduce.ts's passes.
 */
import type { TensorInfo } from "@resnet-ts/tensor";
import type { GpujsBackend } from "../backend.js";
import { naturalDims } from "../layout.js";
import { channelReduce, planeDims, reduceAxis } from "./reduce.js";
import { channelOf, elementAt, type Impl, kernel, ncs, THREAD } from "./source.js";

function binary<K extends "Add" | "Sub" | "Mul">(op: string): Impl<K> {
  return (backend, { a, b }) => {
    const av = backend.arg(a, backend.elementwiseDims(a));
    const bv = backend.arg(b, av.dims);
    const at = elementAt(av.dims);
    return backend.output(kernel(["a", "b"], `return a${at} ${op} b${at};`), av.dims, [av, bv], a.shape);
  };
}

function unary(backend: GpujsBackend, x: TensorInfo, expr: string, scalars: number[] = []): TensorInfo {
  const xv = backend.arg(x, backend.elementwiseDims(x));
  const params = ["x", ...scalars.map((_, i) => `s${i}`)];
  return backend.output(
    kernel(params, `const v = x${elementAt(xv.dims)};\nreturn ${expr};`),
    xv.dims,
    [xv, ...scalars],
    x.shape,
  );
}

export const add = binary<"Add">("+");
export const sub = binary<"Sub">("-");
export const mul = binary<"Mul">("*");

export const scale: Impl<"Scale"> = (backend, { x }, { scalar }) => unary(backend, x, "v * s0", [scalar]);

export const relu: Impl<"Relu"> = (backend, { x }) => unary(backend, x, "Math.max(v, 0)");

export const reluGrad: Impl<"ReluGrad"> = (backend, { dy, y }) => {
  const dv = backend.arg(dy, backend.elementwiseDims(dy));
  const yv = backend.arg(y, dv.dims);
  const at = elementAt(dv.dims);
  return backend.output(kernel(["dy", "y"], `return y${at} > 0 ? dy${at} : 0;`), dv.dims, [dv, yv], dy.shape);
};

export const biasAdd: Impl<"BiasAdd"> = (backend, { x, b }) => {
  const dims = naturalDims(x.shape);
  const xv = backend.arg(x, dims);
  const bv = backend.arg(b, [x.shape[1]!, 1, 1]);
  const body = `${THREAD}\nreturn x[tz][ty][tx] + b[0][0][${channelOf(x.shape)}];`;
  return backend.output(kernel(["x", "b"], body), dims, [xv, bv], x.shape);
};

export const sum: Impl<"Sum"> = (backend, { x }) => {
  const size = x.shape.reduce((p, q) => p * q, 1);
  let a = backend.arg(x, [size, 1, 1]);
  while (a.dims[0] > 1) a = reduceAxis(backend, a, 0);
  return backend.output(kernel(["a"], "return a[0][0][0];"), [1, 1, 1], [a], []);
};

export const channelSum: Impl<"ChannelSum"> = (backend, { x }) => {
  const [n, c] = ncs(x.shape);
  if (x.shape.length === 2) {
    const xv = backend.arg(x, [c, n, 1]);
    const body = `const tx = this.thread.x;
let acc = 0;
for (let k = 0; k < ${n}; k++) {
  acc += x[0][k][tx];
}
return acc;`;
    return backend.output(kernel(["x"], body), [c, 1, 1], [xv], [c]);
  }
  const xv = backend.arg(x, planeDims(x.shape));
  return channelReduce(backend, x.shape, ["x"], [xv], (at) => at("x"));
};
