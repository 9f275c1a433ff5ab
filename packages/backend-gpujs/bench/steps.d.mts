/** Types of steps.mjs (the benchmark workloads), for the TypeScript browser page. */
import type { Tensor } from "@resnet-ts/tensor";

export interface Workload {
  name: string;
  forward: (x: Tensor) => Tensor;
  params: Tensor[];
  stats: Tensor[];
  inputSize: number;
  macsPerImage: number;
}

export interface BenchResult {
  workload: string;
  batch: number;
  steps: number;
  secondsPerStep: number;
  imagesPerSecond: number;
  gflops: number;
  loss: number;
}

export function resnet18(size: number, seed?: number): Workload;
export function smallNet(size: number, seed?: number): Workload;
export function trainStep(net: Workload, x: Tensor, labels: Tensor, lr?: number): Promise<number>;
export function benchTraining(
  make: (size: number) => Workload,
  size: number,
  batch: number,
  options?: { steps?: number; warmup?: number; now?: () => number },
): Promise<BenchResult>;
