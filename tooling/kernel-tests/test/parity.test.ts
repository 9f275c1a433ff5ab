/**
 * Self-test of the parity suite: a second registration of the reference kernels ('cpu-copy') passes
 * every case, and deliberately broken kernels ('cpu-broken') are caught with messages that name the
 * kernel, the case and the result that differs.
 */
import {
  type Backend,
  CpuBackend,
  KERNEL_NAMES,
  type KernelConfig,
  type KernelFunc,
  type KernelName,
  type TensorInfo,
  cpuKernels,
  getBackend,
  registerBackend,
  registerKernel,
  registerKernels,
} from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import {
  type KernelCase,
  type Mismatch,
  compareKernel,
  compareTraining,
  compareValues,
  describeBackendParity,
  kernelCases,
} from "../src/index.js";

/** The reference implementation of `name`, to wrap in broken variants. */
function cpuKernel<K extends KernelName>(name: K): KernelFunc<K, CpuBackend> {
  const config = cpuKernels.find((k) => k.kernelName === name) as unknown as KernelConfig<K, CpuBackend>;
  return config.kernelFunc;
}

registerBackend("cpu-copy", () => new CpuBackend("cpu-copy"));
registerKernels(cpuKernels.map((k) => ({ ...k, backendName: "cpu-copy" })));

// 'cpu-broken': the reference kernels, with some replaced by plausible mistakes.
registerBackend("cpu-broken", () => new CpuBackend("cpu-broken"));
registerKernels(cpuKernels.map((k) => ({ ...k, backendName: "cpu-broken" })));
const broken = <K extends KernelName>(kernelName: K, kernelFunc: KernelFunc<K, CpuBackend>) =>
  registerKernel({ kernelName, backendName: "cpu-broken", kernelFunc });

/** Forgets the bias. */
broken("Conv2D", (backend, { x, w }, attrs) => cpuKernel("Conv2D")(backend, { x, w }, attrs));
/** Updates the running variance with the biased batch variance. */
broken("BatchNormTrain", (backend, inputs, attrs) => {
  const out = cpuKernel("BatchNormTrain")(backend, inputs, { ...attrs, momentum: 0 });
  const { runningMean, runningVar } = inputs;
  const [m, rm, rv] = [out.mean, runningMean, runningVar].map((t) => backend.values(t.dataId));
  const v = backend.values(out.variance.dataId);
  for (let c = 0; c < v.length; c++) {
    rm![c] = (1 - attrs.momentum) * rm![c]! + attrs.momentum * m![c]!;
    rv![c] = (1 - attrs.momentum) * rv![c]! + attrs.momentum * v[c]!;
  }
  return out;
});
/** Reads the old momentum buffer on the first step. */
broken("SgdUpdate", (backend, inputs, attrs) =>
  cpuKernel("SgdUpdate")(backend, inputs, { ...attrs, firstStep: false }),
);
/** Sends tied max-pool gradients to the last maximum instead of the first (by scanning a mirrored input). */
broken("MaxPoolGrad", (backend, { dy, x }, attrs) => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const xv = backend.values(x.dataId);
  // Nudge every tied value up by its row-major position: later elements win ties.
  const nudged = xv.map((v, i) => v + (i % (h * w)) * 1e-4);
  const tmp = { dataId: backend.make(nudged), shape: [n, c, h, w] };
  const out = cpuKernel("MaxPoolGrad")(backend, { dy, x: tmp }, attrs);
  backend.disposeData(tmp.dataId);
  return out;
});
/** Works in place: overwrites its input and returns it. */
broken("Relu", (backend, { x }) => {
  const v = backend.values(x.dataId);
  for (let i = 0; i < v.length; i++) v[i] = Math.max(v[i]!, 0);
  return { dataId: x.dataId, shape: x.shape } satisfies TensorInfo;
});
/** Leaves a scratch buffer allocated. */
broken("Softmax", (backend, inputs, attrs) => {
  backend.make(new Float32Array(4));
  return cpuKernel("Softmax")(backend, inputs, attrs);
});
/** Off by one float32 ulp or so: within tolerance, must pass. */
broken("Scale", (backend, inputs, attrs) =>
  cpuKernel("Scale")(backend, inputs, { scalar: attrs.scalar * (1 + 1e-7) }),
);

describeBackendParity("cpu-copy");
describeBackendParity("cpu-copy", { shapes: "full", skip: ["Conv2DBackpropFilter"] });

describe("compareKernel finds broken kernels", () => {
  const check = async <K extends KernelName>(kernel: K) => {
    const results: { c: KernelCase<K>; mismatches: Mismatch[] }[] = [];
    for (const c of kernelCases(kernel))
      results.push({ c, mismatches: await compareKernel("cpu-broken", c) });
    return results;
  };

  it("a conv that drops its bias fails exactly the cases with a bias, naming the output", async () => {
    const results = await check("Conv2D");
    for (const { c, mismatches } of results) {
      if ("b" in c.inputs) {
        expect(mismatches).toHaveLength(1);
        expect(mismatches[0]!.message).toMatch(
          new RegExp(
            `^Conv2D \\[${c.name}\\] output on 'cpu-broken': \\d+ of \\d+ values differ; worst at \\[`,
          ),
        );
      } else expect(mismatches).toEqual([]);
    }
    expect(results.some((r) => r.mismatches.length === 0)).toBe(true);
  });

  it("a wrong running-variance update is caught in the in-place result only", async () => {
    for (const { c, mismatches } of await check("BatchNormTrain")) {
      const whats = mismatches.map((m) => m.what);
      // Values spread over 0.2 have a batch variance too small (~0.003) for the 1/(n-1) factor to show.
      const visible = c.attrs.momentum > 0 && !c.name.includes("999.9");
      expect(whats, c.name).toEqual(visible ? ["runningVar after the kernel"] : []);
    }
  });

  it("an SGD step that reads the momentum buffer on the first step is caught in param and buffer", async () => {
    for (const { c, mismatches } of await check("SgdUpdate")) {
      const expected =
        c.attrs.firstStep && c.attrs.momentum > 0
          ? ["param after the kernel", "momentumBuf after the kernel"]
          : [];
      expect(
        mismatches.map((m) => m.what),
        c.name,
      ).toEqual(expected);
    }
  });

  it("max-pool gradients to the last tied maximum fail the case with ties", async () => {
    const failing = (await check("MaxPoolGrad")).filter((r) => r.mismatches.length).map((r) => r.c.name);
    expect(failing).toContain("x 2x2x8x8 with ties kernel 3x3 stride 2x2 pad 1x1");
  });

  it("a kernel that writes into its input, or leaks storage, is caught", async () => {
    for (const { c, mismatches } of await check("Relu")) {
      const overwritten = c.inputs.x!.values.some((v) => v < 0);
      expect(mismatches.map((m) => m.what)).toEqual(overwritten ? ["x after the kernel"] : []);
    }
    for (const { mismatches } of await check("Softmax")) {
      expect(mismatches.map((m) => m.message)).toEqual([
        expect.stringMatching(/^Softmax \[.*\] memory on 'cpu-broken': memory\(\).buffers changed by 1/),
      ]);
    }
  });

  it("differences within the tolerance pass; a tighter tolerance catches them", async () => {
    for (const { mismatches } of await check("Scale")) expect(mismatches).toEqual([]);
    const [first] = kernelCases("Scale");
    const strict = await compareKernel("cpu-broken", first!, { tolerance: { rtol: 0, atol: 0 } });
    expect(strict.map((m) => m.what)).toEqual(["output"]);
  });

  it("ofMax scales the absolute tolerance by the output's largest value, and only when asked", () => {
    const want = { shape: [3], values: Float32Array.from([100, 0.001, -50]) };
    const near = { shape: [3], values: Float32Array.from([100, 0.0015, -50]) }; // 5e-4 off a small value
    const far = { shape: [3], values: Float32Array.from([100, 0.01, -50]) };
    expect(compareValues(want, near)).toMatch(/1 of 3 values differ; worst at \[1\]/);
    expect(compareValues(want, near, { ofMax: 1e-5 })).toBeNull(); // allowed: 1e-5 + 1e-5 * 100
    expect(compareValues(want, far, { ofMax: 1e-5 })).toMatch(/\+ 0.00001 \* max \|expected\| 100/);
  });

  it("a missing kernel or an unknown backend is reported, and the active backend is restored", async () => {
    registerBackend("no-kernels", () => new CpuBackend("no-kernels"));
    const before: Backend = getBackend();
    const [c] = kernelCases("Add");
    const mismatches = await compareKernel("no-kernels", c!);
    expect(mismatches.map((m) => m.message)).toEqual([
      "Add [2x3x4x5] run on 'no-kernels': threw: Kernel 'Add' is not registered for backend 'no-kernels' " +
        "(it is registered for: cpu, cpu-copy, cpu-broken)",
    ]);
    expect(getBackend()).toBe(before);
    await expect(compareKernel("nowhere", c!)).rejects.toThrow("setBackend: unknown backend 'nowhere'");
    expect(getBackend()).toBe(before);
  });

  it("gives every kernel of the contract at least one case, with unique names and the same values per seed", () => {
    for (const kernel of KERNEL_NAMES) {
      for (const size of ["small", "full"] as const) {
        const cases = kernelCases(kernel, size);
        expect(cases.length, `${kernel} ${size}`).toBeGreaterThan(0);
        expect(new Set(cases.map((c) => c.name)).size, `${kernel} ${size} names`).toBe(cases.length);
      }
      expect(kernelCases(kernel)[0]!.inputs).toEqual(kernelCases(kernel)[0]!.inputs);
      expect(kernelCases(kernel, "small", 2)[0]!.inputs).not.toEqual(kernelCases(kernel)[0]!.inputs);
    }
  });
});

describe("compareTraining", () => {
  it("passes a copy of the reference, with most of the small network's tensors moved", async () => {
    const report = await compareTraining("cpu-copy", undefined, { steps: 2 });
    expect(report.mismatches).toEqual([]);
    expect(report.tensors).toBe(22);
    expect(report.moved).toBeGreaterThan(11);
  });

  it("names what broken kernels change, and leaves alone what they cannot reach", async () => {
    const { mismatches } = await compareTraining("cpu-broken");
    const whats = new Set(mismatches.map((m) => m.slice(0, m.indexOf(":"))));
    // The dropped conv biases shift the batch means (recorded in the running means) and, on the shortcut
    // conv that no batch norm follows, the loss and every gradient; the wrong running-variance update
    // shows where the batch variance is large enough.
    for (const what of [
      "loss of step 1",
      "mean1 after 1 step(s)",
      "c4 after 1 step(s)",
      "var2 after 1 step(s)",
    ])
      expect(whats).toContain(what);
    // A conv bias before batch norm has a zero gradient: its value and update stay the reference's.
    for (const c of ["c1", "c2", "c3"]) expect([...whats].filter((w) => w.startsWith(c))).toEqual([]);
  });
});
