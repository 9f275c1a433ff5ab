/** The slice of gpu.js's API this package uses, typed loosely (its own typings lag its modes). */
import * as gpujs from "gpu.js";

export type KernelFn = ((...args: unknown[]) => unknown) & { kernel?: { constructor: { mode?: string } } };

export interface GpuInstance {
  createKernel(source: string, settings: Record<string, unknown>): KernelFn;
  destroy(): Promise<void>;
  readonly mode?: string;
  readonly Kernel?: { mode: string };
}

interface GpuClass {
  new (settings: { mode: string }): GpuInstance;
  readonly isWebGL2Supported: boolean;
  readonly isWebGLSupported: boolean;
  readonly isHeadlessGLSupported: boolean;
  readonly isWebGPUSupported: boolean;
  readonly isWebAssemblySupported: boolean;
  isWebGPUAvailable(): Promise<boolean>;
}

const lib = ((gpujs as unknown as { default?: typeof gpujs }).default ?? gpujs) as unknown as {
  GPU: GpuClass;
  input: (value: Float32Array, size: number[]) => unknown;
};

export const GPU = lib.GPU;
export const input = lib.input;
