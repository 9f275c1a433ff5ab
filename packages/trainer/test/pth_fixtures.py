# Writes the .pth files of pth.test.ts into OUTDIR (run with /usr/bin/python3). Without torch only the
# crafted ones (plain pickle + zipfile, laid out as torch.save does) are written.
#   evil-system.pth   data.pkl reduces os.system("echo pwned")           (a code-execution attempt)
#   evil-nested.pth   a dict of a tensor-like entry whose value reduces builtins.eval
#   deflated.pth      a state dict zip whose entries are deflate-compressed
# with torch:
#   mixed.pth         float16, bfloat16, int64 and a transposed (non-contiguous) float32 tensor
#   wrapped.pth       {"epoch": 3, "state_dict": {"module.a": ..., "module.b": ...}}
#   double.pth        a float64 tensor
#   short.pth         mixed.pth with the first storage cut to 3 bytes
import os, pickle, sys, zipfile

out = sys.argv[1]


class Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def archive(path, pkl, files=(), method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", method) as z:
        z.writestr("archive/data.pkl", pkl)
        for name, data in files:
            z.writestr(f"archive/data/{name}", data)


archive(os.path.join(out, "evil-system.pth"), pickle.dumps(Reduce(os.system, ("echo pwned",)), protocol=2))
archive(os.path.join(out, "evil-nested.pth"),
        pickle.dumps({"weight": Reduce(eval, ("__import__('os').system('echo pwned')",))}, protocol=2))

try:
    import torch
except ImportError:
    sys.exit(0)

torch.save({"w": torch.ones(3)}, os.path.join(out, "plain.pth"))
with zipfile.ZipFile(os.path.join(out, "plain.pth")) as src, \
        zipfile.ZipFile(os.path.join(out, "deflated.pth"), "w", zipfile.ZIP_DEFLATED) as dst:
    for info in src.infolist():
        dst.writestr(info.filename, src.read(info.filename))

mixed = {
    "half": torch.tensor([1.5, -2.0, 65504.0, 2 ** -24], dtype=torch.float16),
    "bf16": torch.tensor([1.5, -3.0, 1e30], dtype=torch.bfloat16),
    "count": torch.tensor(7, dtype=torch.int64),
    "transposed": torch.arange(6, dtype=torch.float32).reshape(2, 3).t(),
}
torch.save(mixed, os.path.join(out, "mixed.pth"))
torch.save({"epoch": 3, "state_dict": {"module.a": torch.ones(2), "module.b": torch.zeros(1)}},
           os.path.join(out, "wrapped.pth"))
torch.save({"w": torch.zeros(2, dtype=torch.float64)}, os.path.join(out, "double.pth"))
with zipfile.ZipFile(os.path.join(out, "mixed.pth")) as src, \
        zipfile.ZipFile(os.path.join(out, "short.pth"), "w", zipfile.ZIP_STORED) as dst:
    cut = False
    for info in src.infolist():
        data = src.read(info.filename)
        if "/data/" in info.filename and not cut:
            data, cut = data[:3], True
        dst.writestr(info.filename, data)
