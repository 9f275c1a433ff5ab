/**
 * nn.Sequential: children named "0", "1", ... applied in order. The outputs between children are freed as
 * the forward returns, except what backward reads (tidyForward).
 */
import { type Tensor, tidyForward } from "@resnet-ts/tensor";
import { Module } from "./module.js";

export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    for (const [i, m] of layers.entries()) this.registerModule(String(i), m);
  }

  forward(x: Tensor): Tensor {
    return tidyForward(() => {
      let y = x;
      for (const m of this.layers) y = m.forward(y);
      return y;
    });
  }
}
