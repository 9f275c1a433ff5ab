// The in-place SGD update (momentum, dampening, weight decay, Nesterov); threads split the elements.
import { af, ai, ap, splitEnd, splitStart } from "./common";
import { Sgd } from "./generated/abi";

/** In-place SGD step. */
export function k_sgd(tid: i32, nt: i32, args: usize): void {
  const p = ap(args, Sgd.param), g = ap(args, Sgd.grad), buf = ap(args, Sgd.buf), len = ai(args, Sgd.len);
  const lr = af(args, Sgd.lr), momentum = af(args, Sgd.momentum), dampening = af(args, Sgd.dampening), wd = af(args, Sgd.weightDecay);
  const nesterov = ai(args, Sgd.nesterov), first = ai(args, Sgd.firstStep);
  const i0 = splitStart(len, tid, nt, 4), i1 = splitEnd(len, tid, nt, 4);
  if (buf == 0 && wd == 0) {
    const lv = f32x4.splat(lr);
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i << 2;
      v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(lv, v128.load(g + o))));
    }
    for (; i < i1; i++) {
      const o = <usize>i << 2;
      store<f32>(p + o, load<f32>(p + o) - lr * load<f32>(g + o));
    }
    return;
  }
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    let d = load<f32>(g + o) + wd * load<f32>(p + o);
    if (buf != 0 && momentum > 0) {
      const b = first ? d : momentum * load<f32>(buf + o) + (1 - dampening) * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, load<f32>(p + o) - lr * d);
  }
}
