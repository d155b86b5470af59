"""Small models shared by the runtime tests: the seeds' bugs, the deliberate idioms, healthy nets."""

import torch
from torch import nn


def init_zero_(layer: nn.Module) -> None:
    """zeta.utils.init_zero_, as in the seed documents."""
    nn.init.constant_(layer.weight, 0.0)
    if layer.bias is not None:
        nn.init.constant_(layer.bias, 0.0)


def mlp(*widths: int, act=nn.ReLU) -> nn.Sequential:
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), act()]
    return nn.Sequential(*layers[:-1])


class LoRALinear(nn.Module):
    """A frozen-or-not base layer plus a low-rank update B @ A with B = 0 (Hu et al., 2021)."""

    def __init__(self, d_in: int, d_out: int, r: int = 4) -> None:
        super().__init__()
        self.base = nn.Linear(d_in, d_out)
        self.lora_A = nn.Linear(d_in, r, bias=False)
        self.lora_B = nn.Linear(r, d_out, bias=False)
        nn.init.zeros_(self.lora_B.weight)

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x))


class LoRANet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.l1 = LoRALinear(8, 16)
        self.act = nn.ReLU()
        self.l2 = LoRALinear(16, 4)

    def forward(self, x):
        return self.l2(self.act(self.l1(x)))


class Bottleneck(nn.Module):
    """A residual block whose last BatchNorm has gamma = 0 (torchvision zero_init_residual)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        nn.init.zeros_(self.bn2.weight)
        self.relu = nn.ReLU()

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(x + self.bn2(self.conv2(out)))


class ZeroGammaResNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.blocks = nn.Sequential(Bottleneck(8), Bottleneck(8))
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))


class ZeroHeadNet(nn.Module):
    """A classifier whose head is zero-initialised on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self.body = mlp(8, 16, 16)
        self.head = nn.Linear(16, 3)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


class DiTBlock(nn.Module):
    """adaLN-Zero (Peebles & Xie, 2023): the modulation is zero, so the block starts as identity."""

    def __init__(self, d: int = 16) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(d, elementwise_affine=False)
        self.attn = nn.MultiheadAttention(d, 2, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, 6 * d))
        nn.init.zeros_(self.adaLN_modulation[1].weight)
        nn.init.zeros_(self.adaLN_modulation[1].bias)

    def forward(self, x, c):
        sh1, sc1, g1, sh2, sc2, g2 = self.adaLN_modulation(c).unsqueeze(1).chunk(6, -1)
        h = self.norm(x) * (1 + sc1) + sh1
        x = x + g1 * self.attn(h, h, h)[0]
        return x + g2 * self.mlp(self.norm(x) * (1 + sc2) + sh2)


class DiT(nn.Module):
    """Zero modulation in every block *and* a zero final layer: trains (the 1 + scale form)."""

    def __init__(self, d: int = 16) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([DiTBlock(d), DiTBlock(d)])
        self.norm = nn.LayerNorm(d, elementwise_affine=False)
        self.final_modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, 2 * d))
        self.final = nn.Linear(d, 8)
        for layer in (self.final_modulation[1], self.final):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x, c):
        for block in self.blocks:
            x = block(x, c)
        shift, scale = self.final_modulation(c).unsqueeze(1).chunk(2, -1)
        return self.final(self.norm(x) * (1 + scale) + shift)


class ZeroConvControl(nn.Module):
    """ControlNet's zero convolution joining a control branch to a base network."""

    def __init__(self) -> None:
        super().__init__()
        self.base = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1))
        self.control = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.SiLU())
        self.zero_conv = nn.Conv2d(8, 8, 1)
        nn.init.zeros_(self.zero_conv.weight)
        nn.init.zeros_(self.zero_conv.bias)

    def forward(self, x):
        return self.base(x) + self.zero_conv(self.control(x))
