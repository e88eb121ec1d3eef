"""The PyTorch side of io.kronlaplace.nn.models.TrainStepBenchmark: median time of one SGD training step of WRN-16-4
(BatchNorm or Fixup, float32) on random CIFAR-sized images, split into forward, loss gradient + backward, and update.
Run: /usr/bin/python3 bench/peer/train_step.py --batch 128 --steps 5 --warmup 2 [--variant fixup]"""
import time

import torch
import torch.nn.functional as F

import common
from wide_resnet import WideResNet


def main():
    p = common.parser(__doc__)
    p.add_argument("--batch", type=common.positive_int, default=128, help="images per step (default 128)")
    p.add_argument("--steps", type=common.positive_int, default=5, help="timed steps (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--depth", type=common.positive_int, default=16, help="WRN depth 6n + 4 (default 16)")
    p.add_argument("--widen", type=common.positive_int, default=4, help="WRN width factor (default 4)")
    p.add_argument("--variant", choices=["batchnorm", "fixup"], default="batchnorm",
                   help="normalisation of the residual blocks (default batchnorm)")
    a = p.parse_args()
    if a.warmup < 0:
        p.error(f"--warmup needs an integer >= 0, got {a.warmup}")
    common.setup()
    net = WideResNet(a.depth, a.widen, fixup=a.variant == "fixup").train()
    print(f"WRN-{a.depth}-{a.widen} {a.variant} float32, {sum(t.numel() for t in net.parameters())} parameters, "
          f"batch {a.batch}", flush=True)
    sgd = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    x = torch.rand(a.batch, 3, 32, 32) * 2 - 1
    y = torch.randint(0, 10, (a.batch,))
    phases = []
    for step in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        sgd.zero_grad(set_to_none=False)
        logits = net(x)
        t1 = time.perf_counter()
        F.cross_entropy(logits, y).backward()
        t2 = time.perf_counter()
        sgd.step()
        t3 = time.perf_counter()
        if step >= a.warmup:
            phases.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
    forward, backward, update, total = (common.median(p[i] for p in phases) for i in range(4))
    print(f"median of {a.steps} steps: forward {forward:.3f} s, backward {backward:.3f} s, update {update:.3f} s, "
          f"step {total:.3f} s, {a.batch / total:.1f} images/s")


if __name__ == "__main__":
    main()
