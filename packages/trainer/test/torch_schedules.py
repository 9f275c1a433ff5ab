"""Reference values from PyTorch for schedule.test.ts and loss tests (run by the tests).

Reads a JSON list of cases from argv[1] and prints a JSON list of results:
- {"kind": "lrs", ...}: the learning rate each optimizer step uses, for OneCycleLR, CosineAnnealingLR,
  StepLR or a constant rate, the last three optionally after a LinearLR warm-up via SequentialLR.
- {"kind": "loss", ...}: CrossEntropyLoss(label_smoothing=e) and its gradient w.r.t. the logits.
"""
import json
import sys

import torch


def main_scheduler(opt, case, steps):
    s = case["schedule"]
    if s == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=case["lr"], total_steps=steps, pct_start=case["pctStart"],
            div_factor=case["divFactor"], final_div_factor=case["finalDivFactor"],
            anneal_strategy="cos", cycle_momentum=False, three_phase=False)
    if s == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=case["etaMin"])
    if s == "step":
        # StepLR per step with step_size = epochs x steps per epoch: per-epoch StepLR after a warm-up
        # of whole epochs.
        return torch.optim.lr_scheduler.StepLR(opt, step_size=case["stepSteps"], gamma=case["gamma"])
    if s == "constant":
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    raise ValueError(s)


def lrs(case):
    total, warm = case["totalSteps"], case.get("warmupSteps", 0)
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=case["lr"], momentum=0.9)
    if warm:
        first = torch.optim.lr_scheduler.LinearLR(
            opt, start_factor=case["warmupStartFactor"], end_factor=1.0, total_iters=warm)
        second = main_scheduler(opt, case, total - warm)
        sched = torch.optim.lr_scheduler.SequentialLR(opt, [first, second], milestones=[warm])
    else:
        sched = main_scheduler(opt, case, total)
    out = []
    for _ in range(total):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def loss(case):
    n, k = case["n"], case["k"]
    logits = torch.tensor(case["logits"], dtype=torch.float64).reshape(n, k).requires_grad_()
    labels = torch.tensor(case["labels"], dtype=torch.long)
    value = torch.nn.CrossEntropyLoss(label_smoothing=case["labelSmoothing"])(logits, labels)
    value.backward()
    return {"loss": value.item(), "grad": logits.grad.reshape(-1).tolist()}


cases = json.loads(sys.argv[1])
print(json.dumps([lrs(c) if c["kind"] == "lrs" else loss(c) for c in cases]))
