// Accuracy of the wasm conv kernels by path (implicit GEMMs, Winograd F(2x2, 3x3), F(3x3, 3x3), F(4x4, 3x3))
// against a float64 reference, on ResNet's stage shapes (3x3, stride 1, pad 1, c = o): the largest error of each
// kernel's output divided by the output's largest magnitude, printed as forward / input grad / filter grad.
//   node bench/winograd-accuracy.mjs
import { Rng, registerBackend, runKernel, setBackend } from "@resnet-ts/tensor";
import { createWasmBackend, registerWasmBackend } from "@resnet-ts/backend-wasm";

registerWasmBackend();
const PATHS = { gemm: false, f2: 2, f3: 3, f4: 4 };
for (const [name, winograd] of Object.entries(PATHS)) {
  registerBackend(`wasm-${name}`, () => createWasmBackend({ threads: 2, winograd }));
}
const rng = new Rng(1);
const rand = (n) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

/** y, dx and dw of a 3x3 stride-1 pad-1 conv in float64. */
function reference([n, c, h, w], o, x, wt, dy) {
  const y = new Float64Array(n * o * h * w);
  const dx = new Float64Array(n * c * h * w);
  const dw = new Float64Array(o * c * 9);
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++)
      for (let ic = 0; ic < c; ic++)
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const wi = ((oc * c + ic) * 3 + ky) * 3 + kx;
            let acc = 0;
            for (let yy = 0; yy < h; yy++) {
              const iy = yy + ky - 1;
              if (iy < 0 || iy >= h) continue;
              for (let xx = 0; xx < w; xx++) {
                const ix = xx + kx - 1;
                if (ix < 0 || ix >= w) continue;
                const xi = ((b * c + ic) * h + iy) * w + ix;
                const yi = ((b * o + oc) * h + yy) * w + xx;
                y[yi] += wt[wi] * x[xi];
                dx[xi] += wt[wi] * dy[yi];
                acc += x[xi] * dy[yi];
              }
            }
            dw[wi] += acc;
          }
  return { y, dx, dw };
}

const rows = [];
for (const [n, c, s] of [
  [4, 32, 24],
  [4, 64, 12],
  [8, 64, 7],
  [16, 64, 4],
  [8, 64, 6],
  [16, 64, 3],
  [2, 32, 56],
]) {
  const xs = [n, c, s, s];
  const ws = [c, c, 3, 3];
  const [x, w, dy] = [rand(n * c * s * s), rand(c * c * 9), rand(n * c * s * s)];
  const want = reference(xs, c, x, w, dy);
  const row = { shape: xs.join("x") };
  for (const name of Object.keys(PATHS)) {
    const backend = await setBackend(`wasm-${name}`);
    const t = (v, shape) => ({ dataId: backend.write(v), shape });
    const [xt, wt, dyt] = [t(x, xs), t(w, ws), t(dy, xs)];
    const attrs = { stride: [1, 1], pad: [1, 1] };
    const got = {
      y: runKernel("Conv2D", { x: xt, w: wt }, attrs),
      dx: runKernel("Conv2DBackpropInput", { dy: dyt, w: wt }, { ...attrs, xShape: xs }),
      dw: runKernel("Conv2DBackpropFilter", { x: xt, dy: dyt }, { ...attrs, wShape: ws }),
    };
    const errors = [];
    for (const k of ["y", "dx", "dw"]) {
      const values = await backend.read(got[k].dataId);
      let err = 0;
      let max = 0;
      for (let i = 0; i < values.length; i++) {
        err = Math.max(err, Math.abs(values[i] - want[k][i]));
        max = Math.max(max, Math.abs(want[k][i]));
      }
      errors.push((err / max).toExponential(1));
      backend.disposeData(got[k].dataId);
    }
    for (const d of [xt, wt, dyt]) backend.disposeData(d.dataId);
    row[name] = errors.join(" / ");
  }
  rows.push(row);
}
console.log("largest error / largest output (forward / input grad / filter grad), wasm, 2 threads");
console.table(rows);
process.exit(0);
