// Where Chromium is and how to launch it (SPEC §5), in plain JavaScript so that both the TypeScript
// harness and the web app's node scripts can import it. Playwright adds --headless and the profile.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

// WebGPU in headless Chromium: the flag that exposes navigator.gpu on Linux, and the one that lets it
// fall back to SwiftShader's software adapter where there is no hardware GPU (without it, no adapter).
export const WEBGPU_FLAGS = ["--enable-unsafe-webgpu", "--enable-unsafe-swiftshader"];
