/**
 * Which renderer runs a GPU mode, and whether it is a software one (SwiftShader, llvmpipe, a WebGPU
 * fallback adapter): there a GPU mode runs on the CPU, slower than WebAssembly. Nothing here loads
 * gpu.js, so a page can ask before it loads the backend (`@resnet-ts/backend-gpujs/renderer`).
 */

/**
 * Software renderers' names: SwiftShader, Mesa's llvmpipe, softpipe and lavapipe, Microsoft Basic
 * Render Driver, and WebGPU fallback adapters (as `adapterName` names them).
 */
export const SOFTWARE_RENDERER =
  /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render|fallback adapter/i;

export function isSoftwareRenderer(name: string): boolean {
  return SOFTWARE_RENDERER.test(name);
}

/** The WebGL calls `glRenderer` makes (a WebGL or WebGL2 context). */
export interface GlRendererContext {
  RENDERER: number;
  getExtension(name: "WEBGL_debug_renderer_info"): { UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(name: number): unknown;
}

/** A WebGL context's renderer string: the unmasked one where WEBGL_debug_renderer_info is there. */
export function glRenderer(gl: GlRendererContext): string {
  const ext = gl.getExtension("WEBGL_debug_renderer_info");
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** What `adapterName` reads of a WebGPU adapter. */
export interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}

/** A WebGPU adapter's name (vendor, architecture, device, description), marked when it is a fallback adapter. */
export function adapterName(adapter: AdapterLike): string {
  const info = adapter.info ?? {};
  const name =
    [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ") ||
    "WebGPU adapter";
  return adapter.isFallbackAdapter ? `${name} (fallback adapter)` : name;
}
