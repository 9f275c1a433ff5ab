# PyTorch side of the checkpoint interop test (no `safetensors` package: the format is read and written
# here with struct/json). The net is d2l's ResNet-18 (SPEC section 1), nn.Sequential-indexed like PyTorch's.
# usage: torch_interop.py JS_WEIGHTS INPUT TORCH_WEIGHTS; prints {"load": [...], "export": [...]}:
#   load:   JS_WEIGHTS loaded with load_state_dict(strict=True), its eval output on INPUT's "x"
#   export: a seeded net (its BN statistics moved by two training-mode passes), written to TORCH_WEIGHTS
#           (reversed keys, shuffled data, padded header), its eval output on INPUT's "x"
import json, random, struct, sys
import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    def __init__(self, cin, cout, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv3 = nn.Conv2d(cin, cout, 1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(cout)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (self.conv3(x) if self.conv3 is not None else x))


def stage(cin, cout, first=False):
    head = Residual(cout, cout) if first else Residual(cin, cout, True, 2)
    return nn.Sequential(head, Residual(cout, cout))


def resnet18():
    b1 = nn.Sequential(nn.Conv2d(1, 64, 7, 2, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
    return nn.Sequential(b1, stage(64, 64, True), stage(64, 128), stage(128, 256), stage(256, 512),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10))


DTYPES = {"F32": (torch.float32, 4), "I64": (torch.int64, 8)}


def read(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        dtype, size = DTYPES[e["dtype"]]
        begin, end = e["data_offsets"]
        raw = bytearray(blob[8 + n + begin:8 + n + end])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(e["shape"]).clone()
    return out


def write(path, tensors):
    names = list(reversed(list(tensors)))
    order = names[:]
    random.Random(1).shuffle(order)
    offsets, chunks, at = {}, [], 0
    for name in order:
        data = tensors[name].contiguous().numpy().tobytes()
        offsets[name] = [at, at + len(data)]
        chunks.append(data)
        at += len(data)
    header = {"__metadata__": {"format": "pt"}}
    for name in names:
        t = tensors[name]
        header[name] = {"dtype": "F32" if t.dtype == torch.float32 else "I64", "shape": list(t.shape),
                        "data_offsets": offsets[name]}
    text = json.dumps(header).encode()
    text += b" " * (16 - len(text) % 16 + 16)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def eval_output(net, x):
    net.eval()
    with torch.no_grad():
        return net(x).flatten().tolist()


js_weights, inputs, torch_weights = sys.argv[1:4]
x = read(inputs)["x"]
loaded = resnet18()
loaded.load_state_dict(read(js_weights), strict=True)
torch.manual_seed(7)
exported = resnet18()
with torch.no_grad():
    for _ in range(2):
        exported(torch.rand(8, 1, 28, 28))
write(torch_weights, exported.state_dict())
print(json.dumps({"load": eval_output(loaded, x), "export": eval_output(exported, x)}))
