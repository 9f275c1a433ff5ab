/**
 * Residual block arrangements (He et al. 2016, "Identity Mappings in Deep Residual Networks", Fig. 4),
 * for a main path of units u_i = (conv_i, bn_i), with s(x) the shortcut (x, or a 1x1 projection):
 *   original:        (conv-BN-ReLU)*, conv-BN, add, ReLU            (d2l's Residual)
 *   bn-after-add:    (conv-BN-ReLU)*, conv, add, BN, ReLU
 *   relu-before-add: (conv-BN-ReLU)*, add
 *   relu-preact:     (ReLU-conv-BN)*, add
 *   full-preact:     (BN-ReLU-conv)*, add
 * A `plain` block is the same layers without the add (He et al. 2015's plain nets); it keeps its projection
 * so that its state dict equals its residual twin's, but that projection is never used (and gets no gradient).
 * In the pre-activation arrangements a projection reads the pre-activated input (ReLU(x), or ReLU(bn1(x))),
 * as in the authors' code; an identity shortcut reads x itself.
 */
import { add, relu, type Tensor, tidyForward } from "@resnet-ts/tensor";
import type { BatchNorm2d } from "./batchnorm.js";
import type { Conv2d } from "./conv.js";
import { Module } from "./module.js";

export const BLOCK_ARRANGEMENTS = [
  "original",
  "bn-after-add",
  "relu-before-add",
  "relu-preact",
  "full-preact",
] as const;
export type BlockArrangement = (typeof BLOCK_ARRANGEMENTS)[number];

export function assertArrangement(value: string, where = "arrangement"): asserts value is BlockArrangement {
  if (!(BLOCK_ARRANGEMENTS as readonly string[]).includes(value)) {
    throw new Error(
      `${where}: unknown block arrangement '${value}'; expected one of ${BLOCK_ARRANGEMENTS.join(", ")}`,
    );
  }
}

/** Whether a net of this arrangement needs a final BN + ReLU before pooling (the pre-activation ones). */
export function isPreActivation(arrangement: BlockArrangement): boolean {
  return arrangement === "relu-preact" || arrangement === "full-preact";
}

/** Channels of unit i's BatchNorm: its conv's input for full pre-activation, its conv's output otherwise. */
export function bnChannels(arrangement: BlockArrangement, conv: Conv2d): number {
  return arrangement === "full-preact" ? conv.inChannels : conv.outChannels;
}

/**
 * The forward pass shared by the basic and the bottleneck block; subclasses register the layers. What the
 * block makes on the way is freed as it returns, except what backward reads (tidyForward).
 */
export abstract class ArrangedBlock extends Module {
  abstract readonly arrangement: BlockArrangement;
  abstract readonly plain: boolean;
  /** The main path's (conv, BN) units in order. */
  protected abstract units(): readonly (readonly [Conv2d, BatchNorm2d])[];
  /** The projection shortcut, or null for the identity. */
  protected abstract projection(): Module | null;

  forward(x: Tensor): Tensor {
    return tidyForward(() => this.#forward(x));
  }

  #forward(x: Tensor): Tensor {
    const units = this.units();
    const last = units.length - 1;
    let y = x;
    let preactivated = x;
    units.forEach(([conv, bn], i) => {
      switch (this.arrangement) {
        case "full-preact": {
          const a = relu(bn.forward(y));
          if (i === 0) preactivated = a;
          y = conv.forward(a);
          break;
        }
        case "relu-preact": {
          const a = relu(y);
          if (i === 0) preactivated = a;
          y = bn.forward(conv.forward(a));
          break;
        }
        case "bn-after-add":
          y = conv.forward(y);
          if (i < last) y = relu(bn.forward(y));
          break;
        case "original":
          y = bn.forward(conv.forward(y));
          if (i < last) y = relu(y);
          break;
        case "relu-before-add":
          y = relu(bn.forward(conv.forward(y)));
          break;
      }
    });
    if (!this.plain) {
      const projection = this.projection();
      y = add(y, projection ? projection.forward(preactivated) : x);
    }
    const lastBn = units[last]![1];
    if (this.arrangement === "bn-after-add") return relu(lastBn.forward(y));
    if (this.arrangement === "original") return relu(y);
    return y;
  }
}
