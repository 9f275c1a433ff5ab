/** The in-place SGD step (PyTorch's rule): the parameter and momentum storages take new device arrays. */
import { type Impl, kernel, THREAD } from "./source.js";

const AT = "[tz][ty][tx]";

export const sgdUpdate: Impl<"SgdUpdate"> = (backend, { param, grad, momentumBuf }, attrs) => {
  const { lr, momentum, dampening, weightDecay, nesterov, firstStep } = attrs;
  const p = backend.arg(param, backend.elementwiseDims(param));
  const g = backend.arg(grad, p.dims);
  const d = `(g${AT} + wd * p${AT})`;
  if (!momentumBuf || momentum <= 0) {
    backend.replace(param, kernel(["p", "g", "lr", "wd"], `${THREAD}\nreturn p${AT} - lr * ${d};`), p.dims, [
      p,
      g,
      lr,
      weightDecay,
    ]);
    return undefined;
  }
  const b = backend.arg(momentumBuf, p.dims);
  const nextBuf = firstStep ? d : `mo * b${AT} + (1 - da) * ${d}`;
  backend.replace(
    momentumBuf,
    kernel(["b", "p", "g", "wd", "mo", "da"], `${THREAD}\nreturn ${nextBuf};`),
    p.dims,
    [b, p, g, weightDecay, momentum, dampening],
  );
  const nb = backend.arg(momentumBuf, p.dims);
  const step = nesterov ? `${d} + mo * b${AT}` : `b${AT}`;
  backend.replace(
    param,
    kernel(["p", "g", "b", "lr", "wd", "mo"], `${THREAD}\nreturn p${AT} - lr * (${step});`),
    p.dims,
    [p, g, nb, lr, weightDecay, momentum],
  );
  return undefined;
};
