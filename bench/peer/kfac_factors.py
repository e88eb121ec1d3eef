"""The PyTorch side of io.kronlaplace.curvature.KfacBenchmark on WRN-16-4 (float32): K-FAC factors from one
MC-Fisher sample per image, K-FAC-expand (every spatial position a row) and K-FAC-reduce (inputs averaged and
gradients summed over positions), timed on the recorded layer inputs and back-propagated vectors only, as the Java
benchmark's factor times are; then the float64 eigendecomposition of every factor. Medians over --runs.
Run: /usr/bin/python3 bench/peer/kfac_factors.py --batches 32,128 --runs 3"""
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import common
from wide_resnet import WideResNet


def record(net, x):
    """Each weight layer's input and the gradient w.r.t. its output, for one label sampled from the model."""
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    inputs, grads = {}, {}
    handles = []
    for m in layers:
        handles.append(m.register_forward_hook(lambda mod, i, o: inputs.__setitem__(mod, i[0].detach())))
        handles.append(m.register_full_backward_hook(lambda mod, gi, go: grads.__setitem__(mod, go[0].detach())))
    logits = net(x)
    with torch.no_grad():
        sampled = torch.distributions.Categorical(logits=logits).sample()
    net.zero_grad()
    F.cross_entropy(logits, sampled, reduction="sum").backward()
    for h in handles:
        h.remove()
    return [(m, inputs[m], grads[m]) for m in layers]


def factors(recorded, flavour):
    """(A, G) per layer: A over input patches (Din x Din), G over output gradients (Dout x Dout)."""
    out = []
    for m, a, g in recorded:
        n = a.shape[0]
        if isinstance(m, nn.Conv2d):
            patches = F.unfold(a, m.kernel_size, padding=m.padding, stride=m.stride)  # N, Din, positions
            positions = patches.shape[2]
            gout = g.flatten(2)                                                       # N, Dout, positions
            if flavour == "expand":
                rows = patches.transpose(1, 2).reshape(-1, patches.shape[1])
                grows = gout.transpose(1, 2).reshape(-1, gout.shape[1])
                out.append((rows.T @ rows / (n * positions), grows.T @ grows))
            else:
                mean_in = patches.mean(2)
                sum_grad = gout.sum(2)
                out.append((mean_in.T @ mean_in / n, sum_grad.T @ sum_grad))
        else:
            out.append((a.T @ a / n, g.T @ g))
    return out


def main():
    p = common.parser(__doc__)
    p.add_argument("--batches", type=common.positive_ints, default=[32, 128], help="batch sizes (default 32,128)")
    p.add_argument("--runs", type=common.positive_int, default=3, help="timed repetitions (default 3)")
    p.add_argument("--flavours", default="expand,reduce", help="expand and/or reduce (default expand,reduce)")
    a = p.parse_args()
    flavours = a.flavours.lower().split(",")
    for f in flavours:
        if f not in ("expand", "reduce"):
            p.error(f"--flavours: unknown value '{f}'; choose from expand, reduce")
    common.setup()
    net = WideResNet(16, 4).train()
    print(f"WRN-16-4 BatchNorm float32, {sum(t.numel() for t in net.parameters())} parameters", flush=True)
    for batch in a.batches:
        torch.manual_seed(batch)
        recorded = record(net, torch.randn(batch, 3, 32, 32))
        for flavour in flavours:
            factors(recorded, flavour)  # warm-up
            times, result = [], None
            for _ in range(a.runs):
                t0 = time.perf_counter()
                result = factors(recorded, flavour)
                times.append(time.perf_counter() - t0)
            eig = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                for fa, fg in result:
                    torch.linalg.eigh(fa.double())
                    torch.linalg.eigh(fg.double())
                eig.append(time.perf_counter() - t0)
            largest = max(max(fa.shape[0], fg.shape[0]) for fa, fg in result)
            print(f"batch {batch} {flavour}: factors {common.median(times):.3f} s, float64 eigendecompositions of "
                  f"all {2 * len(result)} factors {common.median(eig):.3f} s (largest {largest})", flush=True)


if __name__ == "__main__":
    main()
