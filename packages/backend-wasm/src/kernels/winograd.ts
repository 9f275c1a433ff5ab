/**
 * Winograd F(2x2, 3x3) for stride-1 3x3 convolutions (assembly/winograd.ts): which convs take it, and
 * the JS side of the forward pass (also the stride-1 input gradient) and the filter gradient. Images
 * are transformed in chunks sized so that the transformed tiles of a chunk stay near the L3 cache.
 */
import type { ConvGeometry } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import type { GroupArgs } from "../generated/abi.js";
import { KC, MR, NC, NR, roundUp } from "./gemm.js";

/** Floats of transformed tiles per chunk (16 matrices x channels x tiles, the larger side). */
const CHUNK_FLOATS = 1 << 21;
/**
 * Output maps that run by Winograd: sides of 12 and up, or even sides of 6 and up. On odd small maps
 * the 2x2 tiles waste much of their work past the border (7x7: 16 tiles for 49 outputs) and tap
 * classes skip more; measured per layer with bench/conv-kernels.mjs --direct (see README): 6x6, 12x12
 * and 24x24 gain, 7x7 (28x28 input) does not.
 */
const winogradMap = (oh: number, ow: number) =>
  Math.min(oh, ow) >= 12 || (Math.min(oh, ow) >= 6 && oh % 2 === 0 && ow % 2 === 0);

/** Whether conv g runs by Winograd on this backend. */
export function winogradFits(backend: WasmBackend, g: ConvGeometry): boolean {
  return (
    backend.winograd &&
    g.kh === 3 &&
    g.kw === 3 &&
    g.sh === 1 &&
    g.sw === 1 &&
    g.ph <= 2 &&
    g.pw <= 2 &&
    winogradMap(g.oh, g.ow)
  );
}

type Layout = GroupArgs<"winoLayout">;

/**
 * Layout words (assembly/winograd.ts), `xi` floats from one transformed matrix to the next: A panels of
 * MR rows over depth `k`, or B panels of NR columns.
 */
const aPanels = (xi: number, k: number): Layout => ({
  xi,
  rShift: 2,
  rp: k * MR,
  rl: 1,
  qp: MR * NR,
  ql: MR,
});
const bPanels = (xi: number, k: number): Layout => ({
  xi,
  rShift: 3,
  rp: NR * NR,
  rl: NR,
  qp: k * NR,
  ql: 1,
});
/** The same for the filter gradient, whose depth is the tiles: A panels (rows o), B panels (columns c). */
const aPanelsT = (xi: number, tiles: number): Layout => ({
  xi,
  rShift: 2,
  rp: tiles * MR,
  rl: 1,
  qp: MR * NR,
  ql: MR,
});
const bPanelsT = (xi: number, tiles: number): Layout => ({
  xi,
  rShift: 3,
  rp: tiles * NR,
  rl: 1,
  qp: NR * NR,
  ql: NR,
});

/** Floats from one of the 16 transformed matrices to the next (assembly/winograd.ts: spaced). */
const spaced = (floats: number) => floats + 32;

const tilesOf = (g: ConvGeometry) => [Math.ceil(g.oh / 2), Math.ceil(g.ow / 2)] as const;

/** Per-thread scratch of k_winoInput: `group` zero-padded input planes each. */
function padScratch(backend: WasmBackend, g: ConvGeometry, group: number) {
  const [th, tw] = tilesOf(g);
  const scratchStride = roundUp(group * (2 * th + 2) * (2 * roundUp(tw, 4) + 2) * 4, 64);
  return { scratch: backend.scratch("winoPad", scratchStride * backend.runtime.threads), scratchStride };
}

/** Images per chunk: as many as keep `perTile` floats per tile under `budget`, at least one. */
function chunkImages(g: ConvGeometry, perTile: number, budget: number): number {
  const [th, tw] = tilesOf(g);
  return Math.max(1, Math.min(g.n, Math.floor(budget / (perTile * th * tw))));
}

/**
 * y = conv(x, W) (+ bias) by Winograd: W is [o, c, 3, 3], or with `flip` [c, o, 3, 3] read with its taps
 * reversed (the input gradient as a forward conv).
 */
export function winogradForward(
  backend: WasmBackend,
  x: number,
  g: ConvGeometry,
  w: number,
  flip: boolean,
  bias: number,
  y: number,
  chunkFloats = CHUNK_FLOATS,
): void {
  const rt = backend.runtime;
  const [th, tw] = tilesOf(g);
  const rowsPad = roundUp(g.o, MR);
  const u = backend.scratch("winoU", 16 * spaced(rowsPad * g.c) * 4);
  rt.run("k_winoFilter", {
    w,
    u,
    rows: g.o,
    chans: g.c,
    flip: flip ? 1 : 0,
    rowsPad,
    chansPad: g.c,
    ...aPanels(spaced(rowsPad * g.c), g.c),
  });
  const per = chunkImages(g, 16 * Math.max(g.c, rowsPad), chunkFloats);
  const colsMax = roundUp(per * th * tw, NR);
  const v = backend.scratch("winoV", 16 * spaced(g.c * colsMax) * 4);
  const m = backend.scratch("winoM", 16 * spaced(rowsPad * colsMax) * 4);
  const pad = padScratch(backend, g, NR);
  for (let n0 = 0; n0 < g.n; n0 += per) {
    const nimg = Math.min(per, g.n - n0);
    const cols = roundUp(nimg * th * tw, NR);
    const geom = { n0, nimg, c: g.c, h: g.h, w: g.w, ph: g.ph, pw: g.pw, th, tw };
    rt.run("k_winoInput", { x, v, ...geom, rows: g.c, cols, ...pad, ...bPanels(spaced(g.c * cols), g.c) });
    rt.run("k_winoGemm", { u, v, m, rowsPad, depth: g.c, cols, kc: KC, nc: NC });
    rt.run("k_winoOutput", { m, y, bias, n0, nimg, o: g.o, oh: g.oh, ow: g.ow, th, tw, rowsPad, cols });
  }
}

/** dw = the filter gradient of conv g (w [o, c, 3, 3]) by Winograd, from x and dy. */
export function winogradFilterGrad(
  backend: WasmBackend,
  x: number,
  dy: number,
  g: ConvGeometry,
  dw: number,
  chunkFloats = CHUNK_FLOATS,
): void {
  const rt = backend.runtime;
  const [th, tw] = tilesOf(g);
  const rowsPad = roundUp(g.o, MR);
  const colsPad = roundUp(g.c, NR);
  const per = chunkImages(g, 16 * Math.max(colsPad, rowsPad), chunkFloats);
  const tilesMax = per * th * tw;
  const v = backend.scratch("winoV", 16 * spaced(colsPad * tilesMax) * 4);
  const z = backend.scratch("winoM", 16 * spaced(rowsPad * tilesMax) * 4);
  const s = backend.scratch("winoU", 16 * spaced(rowsPad * colsPad) * 4);
  const pad = padScratch(backend, g, NR);
  for (let n0 = 0; n0 < g.n; n0 += per) {
    const nimg = Math.min(per, g.n - n0);
    const tiles = nimg * th * tw;
    const geom = { n0, nimg, c: g.c, h: g.h, w: g.w, ph: g.ph, pw: g.pw, th, tw };
    const layout = bPanelsT(spaced(colsPad * tiles), tiles);
    rt.run("k_winoInput", { x, v, ...geom, rows: colsPad, cols: tiles, ...pad, ...layout });
    const dyGeom = { n0, nimg, o: g.o, oh: g.oh, ow: g.ow, th, tw };
    const dyLayout = aPanelsT(spaced(rowsPad * tiles), tiles);
    rt.run("k_winoDy", { dy, z, ...dyGeom, rows: rowsPad, cols: tiles, ...dyLayout });
    rt.run("k_winoGemmT", { z, v, s, rowsPad, colsPad, tiles, kc: KC, acc: n0 > 0 ? 1 : 0 });
  }
  rt.run("k_winoFilterGrad", { s, dw, o: g.o, c: g.c, colsPad });
}
