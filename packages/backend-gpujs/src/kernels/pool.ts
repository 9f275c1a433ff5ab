/**
 * Pooling, one thread per output element. Max pool's gradient is computed per input element: it
 * visits the windows that contain it (ceil(K / S) per axis) and takes each window's gradient when
 * it is that window's first maximum, so no scatter and no atomics are needed.
 */
import { type Pair, windowOutSize } from "@resnet-ts/tensor";
import { covering, type Impl, kernel, THREAD } from "./source.js";

/** Source that sets `best`, `by`, `bx` to the first maximum (row-major) of window (wy, wx). */
function argmax(wy: string, wx: string, h: number, w: number, k: Pair, s: Pair, p: Pair): string {
  return `let best = 0;
let found = 0;
let by = -1;
let bx = -1;
for (let i = 0; i < ${k[0]}; i++) {
  const iy = ${wy} * ${s[0]} - ${p[0]} + i;
  if (iy >= 0 && iy < ${h}) {
    for (let j = 0; j < ${k[1]}; j++) {
      const ix = ${wx} * ${s[1]} - ${p[1]} + j;
      if (ix >= 0 && ix < ${w}) {
        const v = x[tz][iy][ix];
        if (found == 0 || v > best) {
          best = v;
          by = iy;
          bx = ix;
          found = 1;
        }
      }
    }
  }
}`;
}

export const maxPool: Impl<"MaxPool"> = (backend, { x }, { kernel: k, stride, pad }) => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = windowOutSize(h, k[0], stride[0], pad[0]);
  const ow = windowOutSize(w, k[1], stride[1], pad[1]);
  const body = `${THREAD}\n${argmax("ty", "tx", h, w, k, stride, pad)}\nreturn best;`;
  return backend.output(kernel(["x"], body), [ow, oh, n * c], [backend.natural(x)], [n, c, oh, ow]);
};

export const maxPoolGrad: Impl<"MaxPoolGrad"> = (backend, { dy, x }, { kernel: k, stride, pad }) => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = windowOutSize(h, k[0], stride[0], pad[0]);
  const ow = windowOutSize(w, k[1], stride[1], pad[1]);
  const inner = `${argmax("oy", "ox", h, w, k, stride, pad)}
if (by == ty && bx == tx) {
  acc += dy[tz][oy][ox];
}`;
  const body = `${THREAD}
let acc = 0;
${covering("y", "ty", k[0], stride[0], pad[0], oh, covering("x", "tx", k[1], stride[1], pad[1], ow, inner))}
return acc;`;
  return backend.output(
    kernel(["dy", "x"], body),
    [w, h, n * c],
    [backend.natural(dy), backend.natural(x)],
    x.shape,
  );
};

/** PyTorch's adaptive window [start, end) of output cell `i`, as source, and its largest extent. */
function adaptive(t: string, inSize: number, outSize: number): { start: string; end: string; span: number } {
  let span = 0;
  for (let i = 0; i < outSize; i++) {
    span = Math.max(span, Math.ceil(((i + 1) * inSize) / outSize) - Math.floor((i * inSize) / outSize));
  }
  return {
    start: `Math.floor((${t} * ${inSize} + 0.5) / ${outSize})`,
    end: `Math.floor(((${t} + 1) * ${inSize} + ${outSize} - 0.5) / ${outSize})`,
    span,
  };
}

export const adaptiveAvgPool: Impl<"AdaptiveAvgPool"> = (backend, { x }, { outSize }) => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = outSize;
  const ay = adaptive("ty", h, oh);
  const ax = adaptive("tx", w, ow);
  const body = `${THREAD}
const y0 = ${ay.start};
const y1 = ${ay.end};
const x0 = ${ax.start};
const x1 = ${ax.end};
let acc = 0;
for (let i = 0; i < ${ay.span}; i++) {
  const iy = y0 + i;
  if (iy < y1) {
    for (let j = 0; j < ${ax.span}; j++) {
      const ix = x0 + j;
      if (ix < x1) {
        acc += x[tz][iy][ix];
      }
    }
  }
}
return acc / ((y1 - y0) * (x1 - x0));`;
  return backend.output(kernel(["x"], body), [ow, oh, n * c], [backend.natural(x)], [n, c, oh, ow]);
};

export const adaptiveAvgPoolGrad: Impl<"AdaptiveAvgPoolGrad"> = (backend, { dy }, { xShape }) => {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [oh, ow] = [dy.shape[2]!, dy.shape[3]!];
  const ay = adaptive("oy", h, oh);
  const ax = adaptive("ox", w, ow);
  const body = `${THREAD}
let acc = 0;
for (let oy = 0; oy < ${oh}; oy++) {
  const y0 = ${ay.start};
  const y1 = ${ay.end};
  if (ty >= y0 && ty < y1) {
    for (let ox = 0; ox < ${ow}; ox++) {
      const x0 = ${ax.start};
      const x1 = ${ax.end};
      if (tx >= x0 && tx < x1) {
        acc += dy[tz][oy][ox] / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}
return acc;`;
  return backend.output(kernel(["dy"], body), [w, h, n * c], [backend.natural(dy)], xShape);
};
