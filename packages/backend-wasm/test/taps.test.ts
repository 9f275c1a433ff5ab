import { convGeometry, Rng } from "@resnet-ts/tensor";
import { describe, expect, it } from "vitest";
import { tapClasses } from "../src/kernels/taps.js";

const rng = new Rng(7);
const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

describe("tap classes", () => {
  it("cover every output once, each with exactly the taps that read inside the input", () => {
    let split = 0;
    for (let trial = 0; trial < 300; trial++) {
      const [h, w, kh, kw, sh, sw] = [int(1, 9), int(1, 9), int(1, 7), int(1, 7), int(1, 3), int(1, 3)];
      const [ph, pw] = [int(0, kh - 1), int(0, kw - 1)];
      if (h + 2 * ph < kh || w + 2 * pw < kw) continue;
      const g = convGeometry([1, 1, h, w], [1, 1, kh, kw], [sh, sw], [ph, pw]);
      const classes = tapClasses(g, 0);
      if (!classes) continue;
      split++;
      const seen = new Array(g.oh * g.ow).fill(0);
      for (const c of classes) {
        for (let oy = c.oy0; oy < c.oy0 + c.ohc; oy++) {
          for (let ox = c.ox0; ox < c.ox0 + c.owc; ox++) {
            seen[oy * g.ow + ox]++;
            for (let ty = 0; ty < kh; ty++) {
              for (let tx = 0; tx < kw; tx++) {
                const iy = oy * sh - ph + ty;
                const ix = ox * sw - pw + tx;
                const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                const kept = ty >= c.ky0 && ty < c.ky0 + c.khc && tx >= c.kx0 && tx < c.kx0 + c.kwc;
                expect(kept, `${JSON.stringify(g)} output (${oy}, ${ox}) tap (${ty}, ${tx})`).toBe(inside);
              }
            }
          }
        }
      }
      expect(seen.every((v) => v === 1)).toBe(true);
    }
    expect(split).toBeGreaterThan(50);
  });

  it("split ResNet-18's padded 3x3 convs on small images, not where they would skip little", () => {
    const conv = (size: number) => convGeometry([1, 1, size, size], [1, 1, 3, 3], [1, 1], [1, 1]);
    expect(tapClasses(conv(2))?.length).toBe(4);
    expect(tapClasses(conv(1))).toEqual([{ oy0: 0, ohc: 1, ox0: 0, owc: 1, ky0: 1, khc: 1, kx0: 1, kwc: 1 }]);
    expect(tapClasses(conv(7))?.length).toBe(9);
    expect(tapClasses(conv(24))).toBeNull();
    expect(tapClasses(convGeometry([1, 1, 5, 5], [1, 1, 3, 3], [1, 1], [0, 0]))).toBeNull();
  });
});
