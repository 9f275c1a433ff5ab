/**
 * Decodes the images given in the URL (`?size=N#images=` base64 of JSON `[{ name, base64, channels }]`,
 * in the fragment, which the server never sees, so its length is no header limit) in a Web Worker, as
 * the app's worker does, and exposes the stored pixels as `window.__decodeResults`.
 */
const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const done = (value: unknown) => {
  (window as unknown as { __decodeResults: unknown }).__decodeResults = value;
};
const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
worker.onmessage = (e) => done(e.data);
worker.onerror = (e) => done({ error: e.message || "worker failed" });
worker.postMessage({
  images: JSON.parse(atob(fragment.get("images") ?? "W10=")),
  size: Number(params.get("size")),
});
