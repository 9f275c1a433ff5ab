/** Bilinear resize (align_corners=False), one thread per output pixel. */
import { type Impl, kernel, THREAD } from "./source.js";

/** Source computing the low / high neighbours and weight along one axis of output position `t`. */
const axis = (
  a: string,
  t: string,
  ratio: string,
  size: number,
) => `const s${a} = Math.max((${t} + 0.5) * ${ratio} - 0.5, 0);
const ${a}0 = Math.min(Math.floor(s${a}), ${size - 1});
const ${a}1 = Math.min(${a}0 + 1, ${size - 1});
const f${a} = s${a} - ${a}0;`;

export const resizeBilinear: Impl<"ResizeBilinear"> = (backend, { x }, { size }) => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = size;
  const body = `${THREAD}
${axis("y", "ty", "ry", h)}
${axis("x", "tx", "rx", w)}
const top = x[tz][y0][x0] * (1 - fx) + x[tz][y0][x1] * fx;
const bottom = x[tz][y1][x0] * (1 - fx) + x[tz][y1][x1] * fx;
return top * (1 - fy) + bottom * fy;`;
  return backend.output(
    kernel(["x", "ry", "rx"], body),
    [ow, oh, n * c],
    [backend.natural(x), h / oh, w / ow],
    [n, c, oh, ow],
  );
};
