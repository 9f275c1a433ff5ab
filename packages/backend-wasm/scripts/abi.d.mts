/** Types of abi.mjs (the kernel ABI's generator), for test/abi.test.ts. */

/** kernel-abi.json. */
export interface AbiDeclaration {
  constants: Record<string, { value: number; doc: string; assembly?: boolean }>;
  controlWords: number;
  argWords: number;
  control: Record<string, string>;
  groups: Record<string, string[]>;
  kernels: Record<string, string[]>;
}

export const ABI_FILES: { ts: string; as: string };
export function readDeclaration(): AbiDeclaration;
export function generateAbi(decl?: AbiDeclaration): { ts: string; as: string };
