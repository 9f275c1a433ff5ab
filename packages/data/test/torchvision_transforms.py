"""The torchvision side of transforms.test.ts: reads a JSON job from argv[1] and writes the results as
raw bytes to stdout. Resize(size) + CenterCrop(size) on Image.open(path).convert(mode) (uint8, HWC);
resized_crop(top, left, height, width, size) of the same; the padded crop (F.pad + F.crop); and
Normalize(mean, std) after ToTensor (float32, CHW). Run by the test with /usr/bin/python3 (Debian's
python3-torchvision)."""
import json
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import functional as F

job = json.loads(sys.argv[1])
out = sys.stdout.buffer
for item in job["items"]:
    img = Image.open(item["path"]).convert(item["mode"])
    size = item["size"]
    fitted = T.CenterCrop(size)(T.Resize(size)(img))
    out.write(np.asarray(fitted, dtype=np.uint8).tobytes())
    top, left, height, width = item["crop"]
    out.write(np.asarray(F.resized_crop(fitted, top, left, height, width, [size, size]), dtype=np.uint8).tobytes())
    pad, dy, dx = item["pad"]
    padded = F.pad(fitted, [pad, pad, pad, pad], fill=0)
    out.write(np.asarray(F.crop(padded, dy + pad, dx + pad, size, size), dtype=np.uint8).tobytes())
    norm = T.Normalize(item["mean"], item["std"])(T.ToTensor()(fitted))
    out.write(norm.numpy().astype(np.float32).tobytes())
