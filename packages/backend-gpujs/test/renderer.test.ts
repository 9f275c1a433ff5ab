/** The software-renderer test on renderer names as browsers and drivers report them. */
import { describe, expect, it } from "vitest";
import { adapterName, glRenderer, isSoftwareRenderer } from "../src/renderer.js";

describe("isSoftwareRenderer", () => {
  it.each([
    "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
    "google swiftshader",
    "llvmpipe (LLVM 15.0.6, 256 bits)",
    "Mesa softpipe",
    "lavapipe",
    "Microsoft Basic Render Driver",
    "WebGPU adapter (fallback adapter)",
  ])("%s is a software renderer", (name) => {
    expect(isSoftwareRenderer(name)).toBe(true);
  });

  it.each([
    "ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "nvidia hopper",
    "Apple M2",
    "AMD Radeon RX 7900 XTX (radeonsi, navi31, LLVM 15.0.7, DRM 3.54)",
  ])("%s is hardware", (name) => {
    expect(isSoftwareRenderer(name)).toBe(false);
  });
});

describe("adapterName", () => {
  it("joins the adapter's info and marks a fallback adapter, which then counts as software", () => {
    const info = { vendor: "nvidia", architecture: "hopper", device: "", description: "" };
    expect(adapterName({ info })).toBe("nvidia hopper");
    expect(isSoftwareRenderer(adapterName({ info }))).toBe(false);
    expect(adapterName({ info, isFallbackAdapter: true })).toBe("nvidia hopper (fallback adapter)");
    expect(isSoftwareRenderer(adapterName({ info, isFallbackAdapter: true }))).toBe(true);
    expect(adapterName({})).toBe("WebGPU adapter");
  });
});

describe("glRenderer", () => {
  const context = (debug: boolean) => ({
    RENDERER: 1,
    getExtension: () => (debug ? { UNMASKED_RENDERER_WEBGL: 2 } : null),
    getParameter: (name: number) => (name === 2 ? "NVIDIA GeForce RTX 3080" : "WebKit WebGL"),
  });

  it("reads the unmasked renderer where the debug extension is there, else RENDERER", () => {
    expect(glRenderer(context(true))).toBe("NVIDIA GeForce RTX 3080");
    expect(glRenderer(context(false))).toBe("WebKit WebGL");
  });
});
