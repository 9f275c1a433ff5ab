/**
 * Weight initialisation, as PyTorch does it: `defaultUniform` is what nn.Conv2d / nn.Linear do on
 * construction (kaiming_uniform with a = sqrt(5), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)), the same
 * bound for the bias); `xavierUniform` is nn.init.xavier_uniform_ (U(-b, b), b = sqrt(6 / (fanIn + fanOut))),
 * which d2l's init_cnn applies to every Conv2d and Linear weight.
 */
import { type Rng, rand, type Tensor } from "@resnet-ts/tensor";

/** fan_in and fan_out of a weight [out, in, ...kernel] (PyTorch's _calculate_fan_in_and_fan_out). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`fans: weight must have rank >= 2, got [${shape.join(",")}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

export function uniform(shape: readonly number[], bound: number, rng: Rng): Tensor {
  return rand(shape, rng, { low: -bound, high: bound });
}

/** PyTorch's default for a Conv2d/Linear weight (and, with the weight's fanIn, its bias). */
export function defaultUniform(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
  return uniform(shape, fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0, rng);
}

export function xavierUniform(shape: readonly number[], rng: Rng, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(shape);
  return uniform(shape, gain * Math.sqrt(6 / (fanIn + fanOut)), rng);
}

export type InitScheme = "default" | "xavier";
