#!/usr/bin/env python3
"""Writes the PyTorch fixture of TorchStateDictFixtureTest: small models' state_dicts as safetensors files, inputs,
and the logits PyTorch computes for them.

Run from the repository root:  /usr/bin/python3 kfac/src/test/python/make_safetensors_fixture.py
Output: kfac/src/test/resources/io/kronlaplace/io/pytorch/ (about 0.7 MB; committed with this script).

The models follow the PyTorch naming conventions that io.kronlaplace.io.TorchNames maps:
  * Wide ResNet (the common Zagoruyko-Komodakis implementation): conv1, block<g>.layer.<b>.{bn1, conv1, bn2, conv2,
    convShortcut}, bn1, fc; the Fixup variant has bias1..bias4 and scale1 in each block, bias1 after the stem and
    bias2 before fc (scalar parameters named .bias and .scale).
  * MLP and CNN as nn.Sequential, so their keys are positions ("1.weight", ...).

The safetensors package is not installed where this fixture was made, so write_safetensors below writes the format
itself with struct and json (8-byte little-endian header length, JSON header, little-endian data). With the package,
safetensors.torch.save_file(model.state_dict(), path) writes equivalent files, which the Java side reads the same way.
"""
import json
import os
import struct

import torch
from torch import nn

OUT = os.path.join("kfac", "src", "test", "resources", "io", "kronlaplace", "io", "pytorch")
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
          torch.int64: "I64"}


def write_safetensors(path, tensors):
    """Writes {name: tensor} in the safetensors layout, tensors in insertion order, header padded to 8 bytes."""
    header = {"__metadata__": {"format": "pt"}}
    chunks = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        # bytes in native order: little-endian on every machine PyTorch supports
        data = t.view(torch.uint8).numpy().tobytes() if t.dim() > 0 else t.reshape(1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


class Bias(nn.Module):
    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x + self.bias


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return x * self.scale


class Block(nn.Module):
    """Pre-activation basic block; where the shape changes the pre-activation feeds both branches."""

    def __init__(self, cin, cout, stride, fixup):
        super().__init__()
        self.fixup = fixup
        if fixup:
            self.bias1 = Bias()
        else:
            self.bn1 = nn.BatchNorm2d(cin)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        if fixup:
            self.bias2 = Bias()
        else:
            self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()
        if fixup:
            self.bias3 = Bias()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        if fixup:
            self.scale1 = Scale()
            self.bias4 = Bias()
        self.equal = cin == cout and stride == 1
        self.convShortcut = None if self.equal else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        if self.fixup:
            pre = self.relu1(self.bias1(x))
            h = self.bias3(self.relu2(self.bias2(self.conv1(pre))))
            h = self.bias4(self.scale1(self.conv2(h)))
        else:
            pre = self.relu1(self.bn1(x))
            h = self.conv2(self.relu2(self.bn2(self.conv1(pre))))
        return h + (x if self.equal else self.convShortcut(pre))


class Group(nn.Module):
    def __init__(self, n, cin, cout, stride, fixup):
        super().__init__()
        self.layer = nn.Sequential(*[Block(cin if i == 0 else cout, cout, stride if i == 0 else 1, fixup)
                                     for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, widen, classes, channels, fixup):
        super().__init__()
        n = (depth - 4) // 6
        w = [16, 16 * widen, 32 * widen, 64 * widen]
        self.fixup = fixup
        self.conv1 = nn.Conv2d(channels, w[0], 3, 1, 1, bias=False)
        if fixup:
            self.bias1 = Bias()
        self.block1 = Group(n, w[0], w[1], 1, fixup)
        self.block2 = Group(n, w[1], w[2], 2, fixup)
        self.block3 = Group(n, w[2], w[3], 2, fixup)
        if fixup:
            self.bias2 = Bias()
        else:
            self.bn1 = nn.BatchNorm2d(w[3])
        self.relu = nn.ReLU()
        self.fc = nn.Linear(w[3], classes)

    def forward(self, x):
        out = self.conv1(x)
        if self.fixup:
            out = self.bias1(out)
        out = self.block3(self.block2(self.block1(out)))
        if not self.fixup:
            out = self.bn1(out)
        out = self.relu(out).mean(dim=(2, 3))
        if self.fixup:
            out = self.bias2(out)
        return self.fc(out)


def mlp(inputs, hidden, classes):
    layers = [nn.Flatten()]
    for h in hidden:
        layers += [nn.Linear(inputs, h), nn.ReLU()]
        inputs = h
    return nn.Sequential(*layers, nn.Linear(inputs, classes))


def cnn(channels, image, stages, hidden, classes):
    layers = []
    for c in stages:
        layers += [nn.Conv2d(channels, c, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2)]
        channels = c
        image //= 2
    layers.append(nn.Flatten())
    inputs = channels * image * image
    for h in hidden:
        layers += [nn.Linear(inputs, h), nn.ReLU()]
        inputs = h
    return nn.Sequential(*layers, nn.Linear(inputs, classes))


def randomise(model):
    """Non-trivial values everywhere: Fixup's zero-initialised layers and fresh BatchNorm statistics would hide
    mapping errors."""
    for name, p in model.named_parameters():
        if p.dim() > 1:
            fan_in = p[0].numel()
            p.data = torch.randn_like(p) * (2.0 / fan_in) ** 0.5
        elif name.endswith("scale") or (name.endswith("weight") and p.dim() == 1):
            p.data = 1 + 0.2 * torch.randn_like(p)
        else:
            p.data = 0.2 * torch.randn_like(p)
    for name, b in model.named_buffers():
        if name.endswith("running_mean"):
            b.copy_(0.3 * torch.randn_like(b))
        elif name.endswith("running_var"):
            b.copy_(0.5 + torch.rand_like(b))
        elif name.endswith("num_batches_tracked"):
            b.fill_(17)
    return model.eval()


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    x = torch.randn(5, 3, 8, 8)
    models = {
        "wrn_bn": WideResNet(10, 1, 10, 3, fixup=False),
        "wrn_fixup": WideResNet(10, 1, 10, 3, fixup=True),
        "mlp": mlp(3 * 8 * 8, [16, 12], 10),
        "cnn": cnn(3, 8, [4, 8], [16], 10),
    }
    logits = {"x": x}
    with torch.no_grad():
        for name, model in models.items():
            randomise(model)
            write_safetensors(os.path.join(OUT, name + ".safetensors"), model.state_dict())
            logits[name] = model(x)
        # 16-bit files: PyTorch's logits of the same weights rounded to half and bfloat16, computed in float32
        for name, dtype in (("mlp", torch.float16), ("cnn", torch.bfloat16)):
            model = models[name]
            rounded = {k: v.to(dtype) for k, v in model.state_dict().items()}
            write_safetensors(os.path.join(OUT, name + "_" + DTYPES[dtype].lower() + ".safetensors"), rounded)
            model.load_state_dict({k: v.float() for k, v in rounded.items()})
            logits[name + "_" + DTYPES[dtype].lower()] = model(x)
    write_safetensors(os.path.join(OUT, "logits.safetensors"), logits)
    for name, value in logits.items():
        print(name, tuple(value.shape), float(value.abs().max()))


if __name__ == "__main__":
    main()
