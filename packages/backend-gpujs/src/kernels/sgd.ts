/** The in-place SGD step (PyTorch's rule): the parameter and momentum storages take new device arrays. */
import { elementAt, type Impl, kernel } from "./source.js";

export const sgdUpdate: Impl<"SgdUpdate"> = (backend, { param, grad, momentumBuf }, attrs) => {
  const { lr, momentum, dampening, weightDecay, nesterov, firstStep } = attrs;
  const p = backend.arg(param, backend.elementwiseDims(param));
  const g = backend.arg(grad, p.dims);
  const AT = elementAt(p.dims);
  const d = `(g${AT} + wd * p${AT})`;
  if (!momentumBuf || momentum <= 0) {
    backend.replace(param, kernel(["p", "g", "lr", "wd"], `return p${AT} - lr * ${d};`), p.dims, [
      p,
      g,
      lr,
      weightDecay,
    ]);
    return undefined;
  }
  const b = backend.arg(momentumBuf, p.dims);
  const nextBuf = firstStep ? d : `mo * b${AT} + (1 - da) * ${d}`;
  backend.replace(momentumBuf, kernel(["b", "p", "g", "wd", "mo", "da"], `return ${nextBuf};`), p.dims, [
    b,
    p,
    g,
    weightDecay,
    momentum,
    dampening,
  ]);
  const nb = backend.arg(momentumBuf, p.dims);
  const step = nesterov ? `${d} + mo * b${AT}` : `b${AT}`;
  backend.replace(
    param,
    kernel(["p", "g", "b", "lr", "wd", "mo"], `return p${AT} - lr * (${step});`),
    p.dims,
    [p, g, nb, lr, weightDecay, momentum],
  );
  return undefined;
};
