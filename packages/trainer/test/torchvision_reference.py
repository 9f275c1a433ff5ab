# PyTorch side of the torchvision tests (torchvision-vs-pytorch.test.ts), run with Debian's /usr/bin/python3
# (python3-torch, python3-torchvision). No `safetensors` package: that format is written with struct/json.
# usage: torchvision_reference.py reference OUTDIR CASES_JSON    CASES_JSON: [{"model", "classes", "sizes", "batch"}]
#   For each case, in OUTDIR/<model>/:
#   weights.pth          torch.save(model.state_dict()) of a seeded random-init model whose BN affine
#                        parameters and running statistics are randomised too (so eval mode is not trivial)
#   weights.safetensors  the same state dict
#   io-<size>.safetensors  x (the input), labels, eval (eval-mode logits), train (train-mode logits), each
#                        size starting from the saved weights
#   step.safetensors     the state dict after one SGD step (lr 0.1, momentum 0.9, weight decay 1e-4) on the
#                        cross-entropy of the last size's train-mode logits
#   step-f64.json        per parameter, max |step in float32 - the same step in float64| / max |float64|:
#                        PyTorch's own rounding error, large where the problem is ill-conditioned (resnet50)
#   forward-f64.json     per size, the same measure for the eval- and train-mode logits: {"<size>": {"eval", "train"}}
# usage: torchvision_reference.py predict MODEL CLASSES WEIGHTS INPUT
#   loads WEIGHTS (safetensors, as the project writes them) into torchvision's MODEL(num_classes=CLASSES)
#   with strict=True and prints the eval-mode logits on INPUT's "x" as JSON
import copy, json, os, struct, sys
import torch, torchvision
from torch import nn

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def write_safetensors(path, tensors):
    header, chunks, at = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def make(name, classes, seed):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(num_classes=classes)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(3)
    return model


def read_safetensors(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    kinds = {"F32": torch.float32, "I64": torch.int64}
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = bytearray(blob[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=kinds[e["dtype"]]).reshape(e["shape"]).clone()
    return out


def scaled_error(f32, f64):
    return ((f32.double() - f64).abs().max() / f64.abs().max()).item()


def forward_error(model, state, x, evaluated, logits):
    """PyTorch's own float32 error on the eval- and train-mode logits, against the same passes in float64."""
    m = copy.deepcopy(model).double()
    m.load_state_dict(state)
    with torch.no_grad():
        e64 = m.eval()(x.double())
        t64 = m.train()(x.double())
    return {"eval": scaled_error(evaluated, e64), "train": scaled_error(logits.detach(), t64)}


def reference(outdir, cases):
    for i, case in enumerate(cases):
        name, classes, batch = case["model"], case["classes"], case["batch"]
        folder = os.path.join(outdir, name)
        os.makedirs(folder, exist_ok=True)
        model = make(name, classes, seed=i)
        state = {k: v.clone() for k, v in model.state_dict().items()}
        torch.save(model.state_dict(), os.path.join(folder, "weights.pth"))
        write_safetensors(os.path.join(folder, "weights.safetensors"), state)
        forward = {}
        for size in case["sizes"]:
            model = model.float()
            model.load_state_dict(state)
            model.zero_grad(set_to_none=True)
            g = torch.Generator().manual_seed(100 + size)
            x = torch.randn(batch, 3, size, size, generator=g)
            labels = torch.arange(batch) % classes
            with torch.no_grad():
                evaluated = model.eval()(x)
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
            logits = model(x)
            nn.functional.cross_entropy(logits, labels).backward()
            opt.step()
            forward[str(size)] = forward_error(model, state, x, evaluated, logits)
            write_safetensors(os.path.join(folder, f"io-{size}.safetensors"),
                              {"x": x, "labels": labels, "eval": evaluated, "train": logits})
        with open(os.path.join(folder, "forward-f64.json"), "w") as f:
            json.dump(forward, f)
        write_safetensors(os.path.join(folder, "step.safetensors"), model.state_dict())
        stepped = {k: p.detach().double() for k, p in model.named_parameters()}
        model = model.double()
        model.load_state_dict(state)
        model.zero_grad(set_to_none=True)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        nn.functional.cross_entropy(model(x.double()), labels).backward()
        opt.step()
        error = {k: ((stepped[k] - p.detach()).abs().max() / p.detach().abs().max()).item()
                 for k, p in model.named_parameters()}
        with open(os.path.join(folder, "step-f64.json"), "w") as f:
            json.dump(error, f)


def predict(name, classes, weights, inputs):
    model = getattr(torchvision.models, name)(num_classes=int(classes))
    model.load_state_dict(read_safetensors(weights), strict=True)
    with torch.no_grad():
        print(json.dumps(model.eval()(read_safetensors(inputs)["x"]).flatten().tolist()))


torch.set_num_threads(1)
if sys.argv[1] == "reference":
    reference(sys.argv[2], json.loads(sys.argv[3]))
else:
    predict(*sys.argv[2:6])
