/**
 * The same d2l ResNet-18 in TensorFlow.js (channels-last), for the benchmark: b1 = conv 7x7/2 + BN +
 * ReLU + max-pool 3/2, four stages of two residual blocks (64, 128, 256, 512 channels; the first block
 * of stages 2-4 halves the size with a 1x1/2 shortcut conv), global average pool, dense 10.
 * Trained with plain SGD on softmax cross-entropy through `trainOnBatch`.
 */
import type * as tf from "@tensorflow/tfjs";

type Tf = typeof tf;

function residual(t: Tf, x: tf.SymbolicTensor, channels: number, strides: number, shortcutConv: boolean) {
  const conv = (kernel: number, s: number) =>
    t.layers.conv2d({
      filters: channels,
      kernelSize: kernel,
      strides: s,
      padding: "same",
      kernelInitializer: "glorotUniform",
    });
  let y = conv(3, strides).apply(x) as tf.SymbolicTensor;
  y = t.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(y) as tf.SymbolicTensor;
  y = t.layers.reLU().apply(y) as tf.SymbolicTensor;
  y = conv(3, 1).apply(y) as tf.SymbolicTensor;
  y = t.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(y) as tf.SymbolicTensor;
  const shortcut = shortcutConv
    ? (t.layers
        .conv2d({
          filters: channels,
          kernelSize: 1,
          strides,
          padding: "valid",
          kernelInitializer: "glorotUniform",
        })
        .apply(x) as tf.SymbolicTensor)
    : x;
  return t.layers.reLU().apply(t.layers.add().apply([y, shortcut]) as tf.SymbolicTensor) as tf.SymbolicTensor;
}

export function tfjsResnet18(t: Tf, side: number): tf.LayersModel {
  const input = t.input({ shape: [side, side, 1] });
  let x = t.layers
    .conv2d({ filters: 64, kernelSize: 7, strides: 2, padding: "same", kernelInitializer: "glorotUniform" })
    .apply(input) as tf.SymbolicTensor;
  x = t.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(x) as tf.SymbolicTensor;
  x = t.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = t.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }).apply(x) as tf.SymbolicTensor;
  let channels = 64;
  for (const [i, out] of [64, 128, 256, 512].entries()) {
    x = residual(t, x, out, i === 0 ? 1 : 2, i > 0 && out !== channels);
    x = residual(t, x, out, 1, false);
    channels = out;
  }
  x = t.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = t.layers
    .dense({ units: 10, activation: "softmax", kernelInitializer: "glorotUniform" })
    .apply(x);
  const model = t.model({ inputs: input, outputs: output as tf.SymbolicTensor });
  model.compile({ optimizer: t.train.sgd(0.05), loss: "categoricalCrossentropy" });
  return model;
}

export async function prepareTfjs(
  batch: number,
  side: number,
): Promise<{ step: () => Promise<void>; detail: string }> {
  const t = await import("@tensorflow/tfjs");
  if (!(await t.setBackend("webgl"))) throw new Error("tfjs: the webgl backend did not start");
  await t.ready();
  const model = tfjsResnet18(t, side);
  const x = t.randomUniform([batch, side, side, 1]);
  const y = t.oneHot(
    t.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      "int32",
    ),
    10,
  );
  const gl = (t.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  const debug = gl?.getExtension("WEBGL_debug_renderer_info");
  const renderer = gl && debug ? String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : "unknown renderer";
  return {
    step: async () => {
      await model.trainOnBatch(x, y);
    },
    detail: `tfjs ${t.version.tfjs} ${t.getBackend()} on ${renderer}`,
  };
}
