"""WRN-d-k with pre-activation basic blocks, the network of io.kronlaplace.nn.models.WideResNet: 3x3 stem convolution
to 16 channels, three groups of (d - 4) / 6 blocks of widths 16k, 32k, 64k (strides 1, 2, 2; bias-free 1x1 projection
where the shape changes), global average pooling and a linear classifier. Variant BATCHNORM normalises before each
ReLU (WRN-16-4 with 10 classes has 2,748,890 parameters, as in Java); variant FIXUP replaces every BatchNorm by scalar
biases and adds a scalar multiplier at the end of each residual branch, placed as in Java (the timings of the
benchmarks do not depend on the initialisation)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        projected = cin != cout or stride != 1
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if projected else None

    def forward(self, x):
        pre = F.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(pre)  # a projection sees the pre-activation
        return skip + self.conv2(F.relu(self.bn2(self.conv1(pre))))


class ScalarBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x + self.bias


class FixupBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bias1 = ScalarBias()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bias2 = ScalarBias()
        self.bias3 = ScalarBias()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.scale = nn.Parameter(torch.ones(1))
        self.bias4 = ScalarBias()
        projected = cin != cout or stride != 1
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if projected else None

    def forward(self, x):
        pre = F.relu(self.bias1(x))
        skip = x if self.shortcut is None else self.shortcut(pre)
        branch = self.bias3(F.relu(self.bias2(self.conv1(pre))))
        return skip + self.bias4(self.conv2(branch) * self.scale)


class WideResNet(nn.Module):
    def __init__(self, depth=16, widen=4, classes=10, in_channels=3, fixup=False):
        super().__init__()
        if (depth - 4) % 6 != 0:
            raise ValueError(f"depth must be 6n + 4, got {depth}")
        n = (depth - 4) // 6
        widths = [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        self.stem_bias = ScalarBias() if fixup else nn.Identity()
        block = FixupBlock if fixup else PreActBlock
        blocks = []
        for g, stride in enumerate([1, 2, 2]):
            for b in range(n):
                blocks.append(block(widths[g] if b == 0 else widths[g + 1], widths[g + 1], stride if b == 0 else 1))
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.Identity() if fixup else nn.BatchNorm2d(widths[3])
        self.head_bias = ScalarBias() if fixup else nn.Identity()
        self.fc = nn.Linear(widths[3], classes)

    def forward(self, x):
        h = F.relu(self.bn(self.blocks(self.stem_bias(self.conv(x)))))
        return self.fc(self.head_bias(F.adaptive_avg_pool2d(h, 1).flatten(1)))
