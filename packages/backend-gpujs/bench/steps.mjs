/**
 * Benchmark workloads built from @resnet-ts/tensor's ops only (no dependency on the layers package):
 * a small conv net and d2l's ResNet-18 (single-channel input, 10 classes), one SGD training step
 * each. Shared by the Node runner (run.mjs) and the browser page (?bench=).
 */
import {
  adaptiveAvgPool2d,
  add,
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
  tidy,
} from "@resnet-ts/tensor";

/** Builds parameters on the active backend; `params` lists every trainable tensor. */
function builder(seed) {
  const rng = new Rng(seed);
  const params = [];
  const stats = [];
  const uniform = (shape, bound) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = fromArray(
      Float32Array.from({ length: n }, () => rng.uniform(-bound, bound)),
      shape,
    ).requireGrad();
    params.push(t);
    return t;
  };
  const conv = (cin, cout, k, stride, pad) => {
    const w = uniform([cout, cin, k, k], Math.sqrt(6 / ((cin + cout) * k * k)));
    const b = uniform([cout], 0.01);
    return {
      apply: (x) => conv2d(x, w, b, { stride, padding: pad }),
      macs: (oh, ow) => cout * cin * k * k * oh * ow,
    };
  };
  const bn = (c) => {
    const gamma = fromArray(new Float32Array(c).fill(1), [c]).requireGrad();
    const beta = fromArray(new Float32Array(c), [c]).requireGrad();
    const runningMean = fromArray(new Float32Array(c), [c]);
    const runningVar = fromArray(new Float32Array(c).fill(1), [c]);
    params.push(gamma, beta);
    stats.push(runningMean, runningVar);
    return (x) => batchNormTrain(x, { gamma, beta, runningMean, runningVar, eps: 1e-5, momentum: 0.1 });
  };
  const linear = (cin, cout) => {
    const w = uniform([cout, cin], Math.sqrt(6 / (cin + cout)));
    const b = uniform([cout], 0.01);
    return (x) => biasAdd(matmul(x, w, { transposeB: true }), b);
  };
  return { params, stats, conv, bn, linear };
}

/** Forward multiply-adds of the convs and linears per image, counted while building. */
function counter() {
  let macs = 0;
  return { add: (m) => (macs += m), get: () => macs };
}

const out = (size, k, s, p) => Math.floor((size + 2 * p - k) / s) + 1;

/** d2l's ResNet-18 for [N, 1, size, size] inputs. */
export function resnet18(size, seed = 1) {
  const b = builder(seed);
  const macs = counter();
  let hw = size;
  const convAt = (cin, cout, k, s, p) => {
    const c = b.conv(cin, cout, k, s, p);
    const o = out(hw, k, s, p);
    macs.add(c.macs(o, o));
    return c;
  };
  const c1 = convAt(1, 64, 7, 2, 3);
  hw = out(hw, 7, 2, 3);
  const bn1 = b.bn(64);
  hw = out(hw, 3, 2, 1);
  const residuals = [];
  for (const [cin, cout, first] of [
    [64, 64, true],
    [64, 128, false],
    [128, 256, false],
    [256, 512, false],
  ]) {
    for (let i = 0; i < 2; i++) {
      const down = i === 0 && !first;
      const inC = i === 0 ? cin : cout;
      const stride = down ? 2 : 1;
      const conv1 = convAt(inC, cout, 3, stride, 1);
      const conv3 = down ? convAt(inC, cout, 1, stride, 0) : null;
      hw = out(hw, 3, stride, 1);
      const conv2 = convAt(cout, cout, 3, 1, 1);
      const bnA = b.bn(cout);
      const bnB = b.bn(cout);
      residuals.push((x) => {
        const y = bnB(conv2.apply(relu(bnA(conv1.apply(x)))));
        return relu(add(y, conv3 ? conv3.apply(x) : x));
      });
    }
  }
  const fc = b.linear(512, 10);
  macs.add(512 * 10);
  const forward = (x) => {
    let h = maxPool2d(relu(bn1(c1.apply(x))), 3, { stride: 2, padding: 1 });
    for (const r of residuals) h = r(h);
    return fc(flatten(adaptiveAvgPool2d(h, 1)));
  };
  return {
    name: `ResNet-18 ${size}x${size}`,
    forward,
    params: b.params,
    stats: b.stats,
    inputSize: size,
    macsPerImage: macs.get(),
  };
}

/** conv(1->16, 3x3) -> bn -> relu -> maxpool -> conv(16->32, 3x3, stride 2) -> bn -> relu -> avg pool -> linear. */
export function smallNet(size, seed = 1) {
  const b = builder(seed);
  const c1 = b.conv(1, 16, 3, 1, 1);
  const bn1 = b.bn(16);
  const h1 = out(size, 3, 2, 1);
  const c2 = b.conv(16, 32, 3, 2, 1);
  const bn2 = b.bn(32);
  const h2 = out(h1, 3, 2, 1);
  const fc = b.linear(32, 10);
  const forward = (x) => {
    const h = maxPool2d(relu(bn1(c1.apply(x))), 3, { stride: 2, padding: 1 });
    return fc(flatten(adaptiveAvgPool2d(relu(bn2(c2.apply(h))), 1)));
  };
  const macsPerImage = c1.macs(size, size) + c2.macs(h2, h2) + 320;
  return {
    name: `small conv net ${size}x${size}`,
    forward,
    params: b.params,
    stats: b.stats,
    inputSize: size,
    macsPerImage,
  };
}

/** One SGD step on a batch; the loss is read back (as a trainer would) so the step really finished. */
export async function trainStep(net, x, labels, lr = 0.01) {
  const loss = tidy(() => {
    const l = softmaxCrossEntropy(net.forward(x), labels);
    l.backward();
    noGrad(() => {
      for (const p of net.params) {
        sgdUpdate(p, p.grad, null, { lr });
        p.zeroGrad();
      }
    });
    return l;
  });
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

/**
 * Times `steps` training steps (after `warmup` untimed ones, which also compile the kernels) of the
 * workload made by `make(size)` on the active backend. Returns images/s and effective GFLOP/s
 * (forward + backward = 3x the forward multiply-adds, 2 flops each).
 */
export async function benchTraining(
  make,
  size,
  batch,
  { steps = 3, warmup = 1, now = () => performance.now() } = {},
) {
  const net = make(size);
  const rng = new Rng(99);
  const x = fromArray(
    Float32Array.from({ length: batch * size * size }, () => rng.uniform(0, 1)),
    [batch, 1, size, size],
  );
  const labels = fromArray(
    Float32Array.from({ length: batch }, (_, i) => i % 10),
    [batch],
  );
  for (let i = 0; i < warmup; i++) await trainStep(net, x, labels);
  const t0 = now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = await trainStep(net, x, labels);
  const seconds = (now() - t0) / 1000;
  for (const t of [...net.params, ...net.stats, x, labels]) t.dispose();
  const imagesPerSecond = (steps * batch) / seconds;
  return {
    workload: net.name,
    batch,
    steps,
    secondsPerStep: seconds / steps,
    imagesPerSecond,
    gflops: (imagesPerSecond * net.macsPerImage * 3 * 2) / 1e9,
    loss,
  };
}
