/** tfjs (cpu backend) as the oracle: layout conversions NCHW <-> NHWC and OIHW <-> HWIO, values and tf.grads. */
import * as tf from "@tensorflow/tfjs";

export { tf };

export async function useTfCpu(): Promise<void> {
  tf.env().set("IS_TEST", true); // silences the "install tfjs-node" banner
  await tf.setBackend("cpu");
}

type Shape4 = readonly number[];

/** [N,C,H,W] values -> [N,H,W,C]. */
export function nchwToNhwc(v: ArrayLike<number>, [n, c, h, w]: Shape4): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < n!; i++)
    for (let ch = 0; ch < c!; ch++)
      for (let y = 0; y < h!; y++)
        for (let x = 0; x < w!; x++)
          out[((i * h! + y) * w! + x) * c! + ch] = v[((i * c! + ch) * h! + y) * w! + x]!;
  return out;
}

/** [N,H,W,C] values -> [N,C,H,W]; `shape` is the NCHW shape. */
export function nhwcToNchw(v: ArrayLike<number>, [n, c, h, w]: Shape4): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < n!; i++)
    for (let ch = 0; ch < c!; ch++)
      for (let y = 0; y < h!; y++)
        for (let x = 0; x < w!; x++)
          out[((i * c! + ch) * h! + y) * w! + x] = v[((i * h! + y) * w! + x) * c! + ch]!;
  return out;
}

/** [O,I,KH,KW] filter -> [KH,KW,I,O]. */
export function oihwToHwio(v: ArrayLike<number>, [o, ci, kh, kw]: Shape4): Float32Array {
  const out = new Float32Array(v.length);
  for (let a = 0; a < o!; a++)
    for (let b = 0; b < ci!; b++)
      for (let y = 0; y < kh!; y++)
        for (let x = 0; x < kw!; x++)
          out[((y * kw! + x) * ci! + b) * o! + a] = v[((a * ci! + b) * kh! + y) * kw! + x]!;
  return out;
}

/** [KH,KW,I,O] filter -> [O,I,KH,KW]; `shape` is the OIHW shape. */
export function hwioToOihw(v: ArrayLike<number>, [o, ci, kh, kw]: Shape4): Float32Array {
  const out = new Float32Array(v.length);
  for (let a = 0; a < o!; a++)
    for (let b = 0; b < ci!; b++)
      for (let y = 0; y < kh!; y++)
        for (let x = 0; x < kw!; x++)
          out[((a * ci! + b) * kh! + y) * kw! + x] = v[((y * kw! + x) * ci! + b) * o! + a]!;
  return out;
}

/** tf.grads of sum(f(x) * dy) for tfjs-layout inputs, as host arrays. */
export function tfGrads(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: readonly { shape: readonly number[]; values: ArrayLike<number> }[],
  dy: { shape: readonly number[]; values: ArrayLike<number> },
): Float32Array[] {
  return tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor(Float32Array.from(x.values), [...x.shape]));
    const grads = tf.grads((...args: tf.Tensor[]) => f(...args))(
      xs,
      tf.tensor(Float32Array.from(dy.values), [...dy.shape]),
    );
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

/** Runs a tfjs expression and returns its values. */
export function tfValues(f: () => tf.Tensor): Float32Array {
  return tf.tidy(() => f().dataSync() as Float32Array);
}
