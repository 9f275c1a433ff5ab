# PyTorch counterpart of conv-kernels.mjs: GFLOP/s of conv forward, input gradient and weight gradient
# at ResNet-18's layer shapes. usage: python3 torch_conv.py BATCH SIZE THREADS < layers.json
# (layers.json: [[name, c, o, k, stride, pad, size], ...]); prints one JSON object per layer.
import json, sys, time
import torch
from torch.nn import functional as F
from torch.nn.grad import conv2d_input, conv2d_weight

B, H, T = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(T)
for name, c, o, k, stride, pad, size in json.load(sys.stdin):
    out = (size + 2 * pad - k) // stride + 1
    x, w, dy = torch.randn(B, c, size, size), torch.randn(o, c, k, k), torch.randn(B, o, out, out)
    flops = 2 * B * o * out * out * c * k * k
    fns = {
        "fwd": lambda: F.conv2d(x, w, stride=stride, padding=pad),
        "bwdInput": lambda: conv2d_input(x.shape, w, dy, stride=stride, padding=pad),
        "bwdFilter": lambda: conv2d_weight(x, w.shape, dy, stride=stride, padding=pad),
    }
    row = {"layer": name}
    for kname, f in fns.items():
        f()
        reps = max(3, min(60, int(3e9 / flops) + 1))
        t0 = time.perf_counter()
        for _ in range(reps):
            f()
        row[kname] = round(flops * reps / (time.perf_counter() - t0) / 1e9, 1)
    print(json.dumps(row), flush=True)
