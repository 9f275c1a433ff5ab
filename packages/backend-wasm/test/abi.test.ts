/**
 * The kernel ABI (kernel-abi.json) and what is generated from it: both generated files are what the
 * generator makes of the declaration now (run `pnpm build:wasm` after editing it), and the compiled
 * modules export exactly the declared kernels.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { ABI_FILES, generateAbi, readDeclaration } from "../scripts/abi.mjs";
import { KERNEL_WORDS } from "../src/generated/abi.js";
import { RELAXED_MODULE, SIMD_MODULE } from "../src/generated/modules.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("the generated kernel ABI", () => {
  it("is what kernel-abi.json generates, on both sides", () => {
    const generated = generateAbi();
    for (const side of ["ts", "as"] as const) {
      const onDisk = readFileSync(`${pkg}${ABI_FILES[side]}`, "utf8");
      expect(onDisk, `${ABI_FILES[side]} is stale: run pnpm build:wasm`).toBe(generated[side]);
    }
  });

  it("declares exactly the kernels the compiled modules export", async () => {
    const declared = Object.keys(KERNEL_WORDS).sort();
    setFlagsFromString("--experimental-wasm-relaxed-simd"); // Node 20 compiles relaxed SIMD only with it
    for (const base64 of [SIMD_MODULE, RELAXED_MODULE]) {
      const module = await WebAssembly.compile(Buffer.from(base64, "base64"));
      const exported = WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .filter((n) => n.startsWith("k_"))
        .sort();
      expect(exported).toEqual(declared);
    }
  });

  it("rejects a declaration with an unknown group, a repeated word or too many words", () => {
    const decl = readDeclaration();
    const withKernel = (words: string[]) => ({ ...decl, kernels: { ...decl.kernels, k_test: words } });
    expect(() => generateAbi(withKernel(["a", "...nothing"]))).toThrow(/k_test uses unknown group 'nothing'/);
    expect(() => generateAbi(withKernel(["n", "...convGeometry"]))).toThrow(/k_test repeats n/);
    const many = Array.from({ length: decl.argWords + 1 }, (_, i) => `w${i}`);
    expect(() => generateAbi(withKernel(many))).toThrow(/more than argWords/);
  });
});
