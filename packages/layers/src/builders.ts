/**
 * Network builders over the block arrangements:
 * - `resnet`: d2l's ResNet layout (7x7 stem + max pool, stages of blocks, global average pool, Linear), any
 *   stage depths and widths; the defaults are d2l's ResNet-18 and give the same weights and keys as `resnet18()`.
 * - `cifarResnet`: He et al. 2015's CIFAR family, a 3x3 stem and three stages of n blocks (depth 6n + 2 with
 *   basic blocks), narrow enough to train deep nets on a CPU.
 * Top-level children are the stages: 0 stem, 1..k the block stages, then (pre-activation arrangements only) a
 * final BN + ReLU as in He et al. 2016, then pool, flatten and Linear.
 */
import { Rng } from "@resnet-ts/tensor";
import { BatchNorm2d } from "./batchnorm.js";
import { BasicBlock, Bottleneck } from "./blocks.js";
import { Conv2d } from "./conv.js";
import { type InitScheme, xavierUniform } from "./init.js";
import { Linear } from "./linear.js";
import type { Module } from "./module.js";
import { Sequential } from "./sequential.js";
import { AdaptiveAvgPool2d, Flatten, MaxPool2d, ReLU } from "./simple.js";
import { assertArrangement, BLOCK_ARRANGEMENTS, type BlockArrangement, isPreActivation } from "./variants.js";

export type BlockKind = "basic" | "bottleneck";

/** What one comparison variant is built from. */
export interface VariantSpec {
  block: BlockKind;
  arrangement: BlockArrangement;
  plain: boolean;
}

export interface NetOptions extends Partial<VariantSpec> {
  /** Output classes (10). */
  numClasses?: number;
  /** Image channels (1). */
  inChannels?: number;
  /** "xavier" (d2l's init_cnn, the default) or "default" (PyTorch's per-layer defaults). */
  init?: InitScheme;
  seed?: number;
}

export interface ResNetBuildOptions extends NetOptions {
  /** Blocks per stage: [2,2,2,2] ResNet-18 (the default), [3,4,6,3] ResNet-34 (basic) or ResNet-50 (bottleneck). */
  depths?: readonly number[];
  /** Stage widths ([64,128,256,512]); the stem has widths[0] channels; a bottleneck stage outputs width * 4. */
  widths?: readonly number[];
}

export interface CifarResNetOptions extends NetOptions {
  /** Blocks per stage (depth 6n + 2 with basic blocks, 9n + 2 with bottlenecks). */
  n: number;
  /** Stage widths ([16,32,64]). */
  widths?: readonly number[];
}

export const RESNET_DEPTHS = {
  resnet18: [2, 2, 2, 2],
  resnet34: [3, 4, 6, 3],
} as const satisfies Record<string, readonly number[]>;

/** Weighted layers on the main path: stem conv + the blocks' convs + the Linear (18 for ResNet-18). */
export function networkDepth(block: BlockKind, depths: readonly number[]): number {
  return 2 + (block === "bottleneck" ? 3 : 2) * depths.reduce((a, b) => a + b, 0);
}

export function resnet({
  depths = RESNET_DEPTHS.resnet18,
  widths = [64, 128, 256, 512],
  inChannels = 1,
  ...rest
}: ResNetBuildOptions = {}): Sequential {
  const rng = new Rng(rest.seed ?? 0);
  const stem = new Sequential(
    new Conv2d(inChannels, widths[0] ?? 64, 7, { stride: 2, padding: 3, rng }),
    new BatchNorm2d(widths[0] ?? 64),
    new ReLU(),
    new MaxPool2d(3, { stride: 2, padding: 1 }),
  );
  return assemble("resnet", stem, depths, widths, rest, rng);
}

export function cifarResnet({
  n,
  widths = [16, 32, 64],
  inChannels = 1,
  ...rest
}: CifarResNetOptions): Sequential {
  if (!Number.isInteger(n) || n < 1) throw new Error(`cifarResnet: n must be an integer >= 1, got ${n}`);
  const rng = new Rng(rest.seed ?? 0);
  const w0 = widths[0] ?? 16;
  const conv = new Conv2d(inChannels, w0, 3, { padding: 1, rng });
  // Pre-activation nets start their first block with BN + ReLU, so the stem is the conv alone.
  const stem = isPreActivation(rest.arrangement ?? "original")
    ? new Sequential(conv)
    : new Sequential(conv, new BatchNorm2d(w0), new ReLU());
  return assemble(
    "cifarResnet",
    stem,
    widths.map(() => n),
    widths,
    rest,
    rng,
  );
}

function assemble(
  what: string,
  stem: Module,
  depths: readonly number[],
  widths: readonly number[],
  { block = "basic", arrangement = "original", plain = false, numClasses = 10, init = "xavier" }: NetOptions,
  rng: Rng,
): Sequential {
  assertArrangement(arrangement, what);
  if (block !== "basic" && block !== "bottleneck") {
    throw new Error(`${what}: block must be "basic" or "bottleneck", got ${JSON.stringify(block)}`);
  }
  if (depths.length === 0 || depths.length !== widths.length) {
    throw new Error(
      `${what}: depths [${depths}] and widths [${widths}] must be non-empty and of the same length`,
    );
  }
  for (const [name, list] of [
    ["depths", depths],
    ["widths", widths],
  ] as const) {
    if (list.some((v) => !Number.isInteger(v) || v < 1))
      throw new Error(`${what}: ${name} must be integers >= 1, got [${list}]`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`${what}: numClasses must be an integer >= 1, got ${numClasses}`);
  }
  const layers: Module[] = [stem];
  let channels = widths[0]!;
  depths.forEach((count, s) => {
    const blocks: Module[] = [];
    for (let i = 0; i < count; i++) {
      const strides = i === 0 && s > 0 ? 2 : 1;
      const options = { strides, arrangement, plain, rng };
      const blk =
        block === "bottleneck"
          ? new Bottleneck(channels, widths[s]!, options)
          : new BasicBlock(channels, widths[s]!, options);
      channels = block === "bottleneck" ? widths[s]! * 4 : widths[s]!;
      blocks.push(blk);
    }
    layers.push(new Sequential(...blocks));
  });
  if (isPreActivation(arrangement)) layers.push(new Sequential(new BatchNorm2d(channels), new ReLU()));
  layers.push(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(channels, numClasses, { rng }));
  const net = new Sequential(...layers);
  if (init === "xavier") applyXavier(net, rng);
  return net;
}

/**
 * A variant's name: `[plain-][bottleneck-]<arrangement>`, where a bare `plain` or `bottleneck` means the
 * original arrangement (e.g. "original", "full-preact", "plain", "plain-full-preact", "bottleneck").
 */
export function parseVariant(name: string): VariantSpec {
  let rest = name.trim();
  const take = (prefix: string) => {
    if (rest === prefix || rest.startsWith(`${prefix}-`)) {
      rest = rest.slice(prefix.length + 1);
      return true;
    }
    return false;
  };
  const plain = take("plain");
  const block: BlockKind = take("bottleneck") ? "bottleneck" : "basic";
  const arrangement = rest === "" ? "original" : rest;
  if (!(BLOCK_ARRANGEMENTS as readonly string[]).includes(arrangement)) {
    throw new Error(
      `parseVariant: unknown variant '${name}'; expected [plain-][bottleneck-]<arrangement> with an arrangement ` +
        `among ${BLOCK_ARRANGEMENTS.join(", ")} (a bare "plain" or "bottleneck" means original)`,
    );
  }
  return { block, arrangement: arrangement as BlockArrangement, plain };
}

/** The canonical name of a variant (the inverse of `parseVariant`). */
export function variantName({ block, arrangement, plain }: VariantSpec): string {
  const prefix = [plain ? "plain" : "", block === "bottleneck" ? "bottleneck" : ""].filter(Boolean);
  if (prefix.length && arrangement === "original") return prefix.join("-");
  return [...prefix, arrangement].join("-");
}

/** d2l's init_cnn: xavier_uniform_ on every Conv2d and Linear weight; biases and BatchNorm keep their defaults. */
export function applyXavier(model: Module, rng: Rng): void {
  for (const [, m] of model.namedModules()) {
    if (m instanceof Conv2d || m instanceof Linear) {
      const fresh = xavierUniform(m.weight.shape, rng);
      m.weight.assign(fresh.dataSync());
      fresh.dispose();
    }
  }
}
