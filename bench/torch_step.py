# PyTorch peer of `resnet-ts bench`: training-step throughput (forward, cross-entropy, backward, plain SGD
# lr 0.05) on random data, on the CPU. The d2l ResNet-18 is built here as SPEC §1 describes it; the
# torchvision models come from torchvision (random init).
# usage: python3 bench/torch_step.py [SIZE] [BATCH] [STEPS] [THREADS] [--model NAME] [--channels C] [--classes K]
# prints one line: "... median step N ms  X img/s  maxrss_kb R"
import argparse
import resource
import time

import torch
from torch import nn


def d2l_resnet18(channels: int, classes: int) -> nn.Module:
    class Residual(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
            self.bn2 = nn.BatchNorm2d(cout)
            # d2l's 1x1 shortcut wherever the shape changes.
            self.conv3 = nn.Conv2d(cin, cout, 1, stride) if stride != 1 or cin != cout else None

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return torch.relu(y + (self.conv3(x) if self.conv3 is not None else x))

    def stage(cin: int, cout: int, first: bool) -> nn.Module:
        stride = 1 if first else 2
        return nn.Sequential(Residual(cin, cout, stride), Residual(cout, cout, 1))

    return nn.Sequential(
        nn.Sequential(nn.Conv2d(channels, 64, 7, 2, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)),
        stage(64, 64, True),
        stage(64, 128, False),
        stage(128, 256, False),
        stage(256, 512, False),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(512, classes),
    )


def build(name: str, channels: int, classes: int) -> nn.Module:
    if name == "d2l-resnet18":
        return d2l_resnet18(channels, classes)
    import torchvision

    model = getattr(torchvision.models, name)(num_classes=classes)
    if channels != 3:
        model.conv1 = nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    return model


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("size", nargs="?", type=int, default=28)
    p.add_argument("batch", nargs="?", type=int, default=32)
    p.add_argument("steps", nargs="?", type=int, default=5)
    p.add_argument("threads", nargs="?", type=int, default=2)
    p.add_argument("--model", default="d2l-resnet18", choices=["d2l-resnet18", "resnet18", "resnet34", "resnet50"])
    p.add_argument("--channels", type=int, default=None, help="default: 1 for d2l-resnet18, 3 otherwise")
    p.add_argument("--classes", type=int, default=10)
    a = p.parse_args()
    channels = a.channels if a.channels is not None else (1 if a.model == "d2l-resnet18" else 3)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = build(a.model, channels, a.classes).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(a.batch, channels, a.size, a.size)
    y = torch.randint(0, a.classes, (a.batch,))
    times = []
    for step in range(a.steps + 1):  # the first step warms up and is not timed
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
        if step:
            times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"torch {torch.__version__} threads={torch.get_num_threads()} model={a.model} C={channels} "
        f"H={a.size} B={a.batch} median step {median * 1000:.0f} ms  {a.batch / median:.1f} img/s  maxrss_kb {rss}"
    )


if __name__ == "__main__":
    main()
