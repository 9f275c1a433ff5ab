/**
 * Winograd F(2x2, 3x3), F(3x3, 3x3) and F(4x4, 3x3) for stride-1 3x3 convolutions (assembly/winograd.ts,
 * winograd3.ts, winograd4.ts): which convs take it with which tile, and the JS side of the forward pass (also
 * the stride-1 input gradient) and the filter gradient. Images are transformed in chunks sized so that
 * the transformed tiles of a chunk stay near the L3 cache.
 */
import type { ConvGeometry } from "@resnet-ts/tensor";
import type { WasmBackend } from "../backend.js";
import type { GroupArgs } from "../generated/abi.js";
import { KC, MR, NC, NR, roundUp } from "./gemm.js";

/** Floats of transformed tiles per chunk ((m + 2)^2 matrices x channels x tiles, the larger side). */
const CHUNK_FLOATS = 1 << 21;
/** Output tile side: F(2x2, 3x3), F(3x3, 3x3) or F(4x4, 3x3). */
export type WinogradTile = 2 | 3 | 4;

/** Products per output of tile m on an oh x ow map: (m + 2)^2 per tile, over the outputs. */
const productsPerOutput = (m: WinogradTile, oh: number, ow: number) =>
  ((m + 2) ** 2 * Math.ceil(oh / m) * Math.ceil(ow / m)) / (oh * ow);

/**
 * The tile conv g runs by Winograd with on this backend, or 0 when it runs by GEMMs: on maps of 3x3 and
 * up, the tile whose tiles need the fewest products per output, the larger on a tie (F(3x3) where the
 * sides are multiples of 3 but not of 4, as 3x3, 5x5, 6x6 and 9x9; F(4x4) on the rest). Measured per
 * layer with bench/conv-kernels.mjs --direct --tiles (see README): the three tiles run their products
 * at about the same rate, so the fewest products wins, and each beats the GEMMs from 3x3 maps up (on
 * 2x2 maps the GEMMs skip the taps past the border, 4 products per output). A backend made with
 * `winograd: 2`, `3` or `4` takes that tile wherever Winograd runs.
 */
export function winogradTile(backend: WasmBackend, g: ConvGeometry): WinogradTile | 0 {
  const shape = g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.ph <= 2 && g.pw <= 2;
  if (!shape || backend.winograd === false || Math.min(g.oh, g.ow) < 3) return 0;
  if (backend.winograd !== true) return backend.winograd;
  let best: WinogradTile = 4;
  for (const m of [3, 2] as const) {
    if (productsPerOutput(m, g.oh, g.ow) < productsPerOutput(best, g.oh, g.ow)) best = m;
  }
  return best;
}

/**
 * Each tile's transform kernels (assembly/winograd.ts, winograd3.ts, winograd4.ts); those of F(3x3) and
 * F(4x4) also take the per-thread buffer `tmp`.
 */
const KERNELS = {
  2: {
    input: "k_winoInput",
    dy: "k_winoDy",
    filter: "k_winoFilter",
    output: "k_winoOutput",
    filterGrad: "k_winoFilterGrad",
  },
  3: {
    input: "k_wino3Input",
    dy: "k_wino3Dy",
    filter: "k_wino3Filter",
    output: "k_wino3Output",
    filterGrad: "k_wino3FilterGrad",
  },
  4: {
    input: "k_wino4Input",
    dy: "k_wino4Dy",
    filter: "k_wino4Filter",
    output: "k_wino4Output",
    filterGrad: "k_wino4FilterGrad",
  },
} as const;

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

/** Floats from one transformed matrix to the next (assembly/winolayout.ts: spaced). */
const spaced = (floats: number) => floats + 32;

/** Transformed matrices of a tile: (m + 2)^2. */
const matsOf = (m: WinogradTile) => (m + 2) * (m + 2);

const tilesOf = (g: ConvGeometry, m: WinogradTile) => [Math.ceil(g.oh / m), Math.ceil(g.ow / m)] as const;

/**
 * Images per unit of work of F(3x3)'s and F(4x4)'s transforms: four where an image's tiles are not a
 * multiple of four, so that every vector holds four tiles (assembly/winolayout.ts: imagesPerUnit).
 */
const imagesPerUnit = (g: ConvGeometry, m: WinogradTile) => {
  const [th, tw] = tilesOf(g, m);
  return m !== 2 && (th * tw) % 4 !== 0 ? 4 : 1;
};

/** Per-thread scratch of the input transform: `group` zero-padded input planes of each image of a unit. */
function padScratch(backend: WasmBackend, g: ConvGeometry, m: WinogradTile, group: number) {
  const [th, tw] = tilesOf(g, m);
  // assembly/winograd*.ts: planes of m*th + 2 rows of m*roundUp(tw, 4) + 2 (m = 2) or + 4 (m = 3, 4).
  const plane = (m * th + 2) * (m * roundUp(tw, 4) + (m === 2 ? 2 : 4));
  const scratchStride = roundUp(group * imagesPerUnit(g, m) * plane * 4, 64);
  return { scratch: backend.scratch("winoPad", scratchStride * backend.runtime.threads), scratchStride };
}

/** F(3x3)'s and F(4x4)'s per-thread buffer for their transforms' first stage (assembly/winograd4.ts: TMP_BYTES). */
const tmpScratch = (backend: WasmBackend) => backend.scratch("winoTmp", 8192 * backend.runtime.threads);

/** Images per chunk: as many as keep `perTile` floats per tile under `budget`, at least one. */
function chunkImages(g: ConvGeometry, m: WinogradTile, perTile: number, budget: number): number {
  const [th, tw] = tilesOf(g, m);
  return Math.max(1, Math.min(g.n, Math.floor(budget / (perTile * th * tw))));
}

/**
 * y = conv(x, W) (+ bias) by Winograd with tile m: W is [o, c, 3, 3], or with `flip` [c, o, 3, 3] read with
 * its taps reversed (the input gradient as a forward conv).
 */
export function winogradForward(
  backend: WasmBackend,
  m: WinogradTile,
  x: number,
  g: ConvGeometry,
  w: number,
  flip: boolean,
  bias: number,
  y: number,
  chunkFloats = CHUNK_FLOATS,
): void {
  const rt = backend.runtime;
  const [th, tw] = tilesOf(g, m);
  const mats = matsOf(m);
  const rowsPad = roundUp(g.o, MR);
  const u = backend.scratch("winoU", mats * spaced(rowsPad * g.c) * 4);
  const filter = {
    w,
    u,
    rows: g.o,
    chans: g.c,
    flip: flip ? 1 : 0,
    rowsPad,
    chansPad: g.c,
    ...aPanels(spaced(rowsPad * g.c), g.c),
  };
  const k = KERNELS[m];
  if (m === 2) rt.run(k.filter, filter);
  else rt.run(KERNELS[m].filter, { ...filter, tmp: tmpScratch(backend) });
  const per = chunkImages(g, m, mats * Math.max(g.c, rowsPad), chunkFloats);
  const colsMax = roundUp(per * th * tw, NR);
  const v = backend.scratch("winoV", mats * spaced(g.c * colsMax) * 4);
  const out = backend.scratch("winoM", mats * spaced(rowsPad * colsMax) * 4);
  const pad = padScratch(backend, g, m, NR);
  const tmp = m === 2 ? 0 : tmpScratch(backend);
  for (let n0 = 0; n0 < g.n; n0 += per) {
    const nimg = Math.min(per, g.n - n0);
    const cols = roundUp(nimg * th * tw, NR);
    const geom = { n0, nimg, c: g.c, h: g.h, w: g.w, ph: g.ph, pw: g.pw, th, tw };
    const input = { x, v, ...geom, rows: g.c, cols, ...pad, ...bPanels(spaced(g.c * cols), g.c) };
    if (m === 2) rt.run(k.input, input);
    else rt.run(KERNELS[m].input, { ...input, tmp });
    rt.run("k_winoGemm", { u, v, m: out, rowsPad, depth: g.c, cols, kc: KC, nc: NC, mats });
    const output = { m: out, y, bias, n0, nimg, o: g.o, oh: g.oh, ow: g.ow, th, tw, rowsPad, cols };
    if (m === 2) rt.run(k.output, output);
    else rt.run(KERNELS[m].output, { ...output, tmp });
  }
}

/** dw = the filter gradient of conv g (w [o, c, 3, 3]) by Winograd with tile m, from x and dy. */
export function winogradFilterGrad(
  backend: WasmBackend,
  m: WinogradTile,
  x: number,
  dy: number,
  g: ConvGeometry,
  dw: number,
  chunkFloats = CHUNK_FLOATS,
): void {
  const rt = backend.runtime;
  const [th, tw] = tilesOf(g, m);
  const mats = matsOf(m);
  const rowsPad = roundUp(g.o, MR);
  const colsPad = roundUp(g.c, NR);
  const per = chunkImages(g, m, mats * Math.max(colsPad, rowsPad), chunkFloats);
  const tilesMax = per * th * tw;
  const v = backend.scratch("winoV", mats * spaced(colsPad * tilesMax) * 4);
  const z = backend.scratch("winoM", mats * spaced(rowsPad * tilesMax) * 4);
  const s = backend.scratch("winoU", mats * spaced(rowsPad * colsPad) * 4);
  const pad = padScratch(backend, g, m, NR);
  const tmp = m === 2 ? 0 : tmpScratch(backend);
  const k = KERNELS[m];
  for (let n0 = 0; n0 < g.n; n0 += per) {
    const nimg = Math.min(per, g.n - n0);
    const tiles = nimg * th * tw;
    const geom = { n0, nimg, c: g.c, h: g.h, w: g.w, ph: g.ph, pw: g.pw, th, tw };
    const layout = bPanelsT(spaced(colsPad * tiles), tiles);
    const input = { x, v, ...geom, rows: colsPad, cols: tiles, ...pad, ...layout };
    if (m === 2) rt.run(k.input, input);
    else rt.run(KERNELS[m].input, { ...input, tmp });
    const dyGeom = { n0, nimg, o: g.o, oh: g.oh, ow: g.ow, th, tw };
    const dyArgs = {
      dy,
      z,
      ...dyGeom,
      rows: rowsPad,
      cols: tiles,
      ...aPanelsT(spaced(rowsPad * tiles), tiles),
    };
    if (m === 2) rt.run(k.dy, dyArgs);
    else rt.run(KERNELS[m].dy, { ...dyArgs, tmp });
    rt.run("k_winoGemmT", { z, v, s, rowsPad, colsPad, tiles, kc: KC, acc: n0 > 0 ? 1 : 0, mats });
  }
  const args = { s, dw, o: g.o, c: g.c, colsPad };
  if (m === 2) rt.run(k.filterGrad, args);
  else rt.run(KERNELS[m].filterGrad, { ...args, tmp });
}
