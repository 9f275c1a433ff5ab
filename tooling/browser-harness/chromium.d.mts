/** The Chromium binary: $CHROMIUM_PATH, else /usr/bin/chromium (Debian's `chromium`). */
export declare const CHROMIUM_PATH: string;
/** SPEC §5's launch flags (Playwright adds --headless and manages the fresh profile directory). */
export declare const CHROMIUM_FLAGS: readonly string[];
/** Flags for WebGPU in headless Chromium, with SwiftShader's software adapter where there is no GPU. */
export declare const WEBGPU_FLAGS: readonly string[];
