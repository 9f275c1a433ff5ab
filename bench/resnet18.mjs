// The d2l ResNet-18 (1 input channel, 10 classes; SPEC §1) written directly on @resnet-ts/tensor ops,
// so the backends can be timed on the real network's kernels before the layers package is used here.
import {
  Rng,
  adaptiveAvgPool2d,
  add,
  batchNormTrain,
  biasAdd,
  conv2d,
  flatten,
  fromArray,
  full,
  keep,
  matmul,
  maxPool2d,
  noGrad,
  relu,
  sgdUpdate,
  softmaxCrossEntropy,
  tidy,
} from "../packages/tensor/dist/index.js";

/** Xavier-uniform weights, PyTorch-default biases and BN parameters. */
export function buildResNet18(seed = 0) {
  const rng = new Rng(seed);
  const params = [];
  const param = (shape, bound) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    for (let i = 0; i < size; i++) v[i] = rng.uniform(-bound, bound);
    const t = keep(fromArray(v, shape).requireGrad());
    params.push(t);
    return t;
  };
  const conv = (i, o, k, stride, padding) => {
    const fanIn = i * k * k;
    const fanOut = o * k * k;
    return {
      w: param([o, i, k, k], Math.sqrt(6 / (fanIn + fanOut))),
      b: param([o], 1 / Math.sqrt(fanIn)),
      stride,
      padding,
    };
  };
  const bn = (c) => {
    const gamma = keep(full([c], 1).requireGrad());
    const beta = keep(full([c], 0).requireGrad());
    params.push(gamma, beta);
    return {
      gamma,
      beta,
      runningMean: keep(full([c], 0)),
      runningVar: keep(full([c], 1)),
      eps: 1e-5,
      momentum: 0.1,
    };
  };
  const residual = (i, o, use1x1, stride) => ({
    conv1: conv(i, o, 3, stride, 1),
    bn1: bn(o),
    conv2: conv(o, o, 3, 1, 1),
    bn2: bn(o),
    conv3: use1x1 ? conv(i, o, 1, stride, 0) : null,
  });
  const stage = (i, o, first) => [residual(i, o, !first, first ? 1 : 2), residual(o, o, false, 1)];
  const net = {
    b1: { conv: conv(1, 64, 7, 2, 3), bn: bn(64) },
    blocks: [
      ...stage(64, 64, true),
      ...stage(64, 128, false),
      ...stage(128, 256, false),
      ...stage(256, 512, false),
    ],
    fc: { w: param([10, 512], Math.sqrt(6 / (512 + 10))), b: param([10], 1 / Math.sqrt(512)) },
    params,
  };
  return net;
}

const applyConv = (c, x) => conv2d(x, c.w, c.b, { stride: c.stride, padding: c.padding });

export function forward(net, x) {
  let y = relu(batchNormTrain(applyConv(net.b1.conv, x), net.b1.bn));
  y = maxPool2d(y, 3, { stride: 2, padding: 1 });
  for (const r of net.blocks) {
    const z = relu(batchNormTrain(applyConv(r.conv1, y), r.bn1));
    const s = batchNormTrain(applyConv(r.conv2, z), r.bn2);
    y = relu(add(s, r.conv3 ? applyConv(r.conv3, y) : y));
  }
  const h = flatten(adaptiveAvgPool2d(y, 1));
  return biasAdd(matmul(h, net.fc.w, { transposeB: true }), net.fc.b);
}

/** One SGD training step (forward, backward, update); returns the loss. */
export function trainStep(net, x, labels, lr = 0.05) {
  const loss = tidy(() => {
    const l = softmaxCrossEntropy(forward(net, x), labels);
    l.backward();
    return l.item();
  });
  noGrad(() => {
    for (const p of net.params) {
      if (p.grad) sgdUpdate(p, p.grad, null, { lr });
      p.zeroGrad();
    }
  });
  return loss;
}
