"""Bugs that names used to excuse, found by reading structure (issue 17).

Modelled on real code (see benchmarks/corpus/sites.md for the sources):
* a zero-saying helper handed to `.apply` or called in a loop reaches every layer: the name says
  zero, the structure says every layer (udacity's weight-initialization lesson, d2l's
  `init_constant`, user `weights_init` helpers);
* both factors of a product zero: LoRA-style pairs written with layers or bare Parameters
  (relora issue 18, LAVT-RIS issue 25), and `B(A(x)) * tanh(s)` with `s` zero;
* `for p in model.parameters(): p.zero_()` (the Pocket/Gradium TTS loss MLP in transformers);
* a norm's γ and β zeroed right before a ReLU, reached through an indexed Sequential;
* FiLM that starts at 0 instead of 1: `tokens * gamma + beta` with gamma's layer zeroed
  (vit-pytorch `vat.py`): no name excuses a raw zero product.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def zeros(m):
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.zeros_(m.weight)  # expect: INI003
        nn.init.zeros_(m.bias)


def zero_init(module):
    nn.init.constant_(module.weight, 0.0)
    nn.init.constant_(module.bias, 0.0)
    return module


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.ReLU())
        self.fc = nn.Linear(32, 10)
        self.apply(zeros)

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


def blank_every_linear(model):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            zero_init(m)  # expect: INI003


def reset_to_zero(model):
    for p in model.parameters():
        p.data.zero_()  # expect: INI003


class BothFactorsZero(nn.Module):
    """A low-rank update whose two factors both start at zero: BA = 0 and both gradients are 0."""

    def __init__(self, d, r):
        super().__init__()
        self.down = nn.Linear(d, r, bias=False)
        self.up = nn.Linear(r, d, bias=False)
        nn.init.zeros_(self.down.weight)  # expect: INI004
        nn.init.zeros_(self.up.weight)  # expect: INI004

    def forward(self, x):
        return x + self.up(self.down(x))


class ReLoRA(nn.Module):
    """The same with bare Parameters, as loralib-style code writes it."""

    def __init__(self, d, r):
        super().__init__()
        self.lora_A = nn.Parameter(torch.zeros(r, d))  # expect: INI004
        self.lora_B = nn.Parameter(torch.zeros(d, r))  # expect: INI004

    def forward(self, x):
        return x + (x @ self.lora_A.T) @ self.lora_B.T


class GatedAdapter(nn.Module):
    """A zero up-projection whose output is scaled by tanh of a zero gate: nothing moves."""

    def __init__(self, d):
        super().__init__()
        self.down = nn.Linear(d, d // 4)
        self.up = nn.Linear(d // 4, d)
        self.gate = nn.Parameter(torch.zeros(1))
        nn.init.zeros_(self.up.weight)  # expect: INI004

    def forward(self, x):
        return x + self.up(F.gelu(self.down(x))) * torch.tanh(self.gate)


class LossWeighting(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 1))
        for p in self.mlp.parameters():
            nn.init.zeros_(p)  # expect: INI003


class DeadNorm(nn.Module):
    """γ and β zeroed on a norm that feeds F.relu directly: every normalised unit outputs 0."""

    def __init__(self, c):
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c))
        nn.init.zeros_(self.block[1].weight)  # expect: INI004
        nn.init.zeros_(self.block[1].bias)

    def forward(self, x):
        return F.relu(self.block[1](self.block[0](x)))


class FiLMFromZero(nn.Module):
    """`tokens * gamma + beta` with gamma's projection zeroed: the tokens are multiplied by 0."""

    def __init__(self, dim, cond_dim):
        super().__init__()
        self.to_gamma = nn.Linear(cond_dim, dim)
        self.to_beta = nn.Linear(cond_dim, dim)
        nn.init.zeros_(self.to_gamma.weight)  # expect: INI001
        nn.init.zeros_(self.to_gamma.bias)

    def forward(self, tokens, cond):
        gamma = self.to_gamma(cond)
        beta = self.to_beta(cond)
        return tokens * gamma + beta
