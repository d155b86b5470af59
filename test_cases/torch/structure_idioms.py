"""Deliberate or harmless constants that only structure tells apart (issue 17): silent by
default, shown with the reason in `--strict`, whatever the names say.

Modelled on real code (see benchmarks/corpus/README.md and sites.md for the sources):
* modulation consumed as the identity: `x * (1 + a) + b` (diffusers Stable Cascade),
  `normed * (gamma + 1.)` (x-transformers), a zero matrix added to a fixed identity
  (hyper-connections);
* a zero weight under a chosen bias: a gate `sigmoid(W x + b)` with b = -2 (x-transformers,
  ESMFold), a spatial-transformer localisation layer whose bias is the identity affine map;
* residual-branch closers with no telltale name: `z = self.W(y) + x` (non-local blocks, fairseq
  `base_layer`), a coupling layer's `end` conv (WaveGlow, Glow), a zero delta added to a shared
  weight;
* `.apply` on one submodule (d2l's `net[2].apply(init_42)`);
* dead stores: a zero overwritten by a random init on the next line or in another method
  (allennlp, ultralytics SAM), or by a collective broadcast;
* not fan-in weights: a learned initial state that is added, an elementwise scale, a buffer,
  one output unit (logistic regression, single-channel upsamplers).
"""

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from einops.layers.torch import Rearrange


class ConditionalNorm(nn.Module):
    def __init__(self, dim, cond_dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim, elementwise_affine=False)
        self.mapper = nn.Linear(cond_dim, 2 * dim)
        nn.init.zeros_(self.mapper.weight)  # expect-strict: INI001
        nn.init.zeros_(self.mapper.bias)

    def forward(self, x, c):
        a, b = self.mapper(c).chunk(2, dim=-1)
        return self.norm(x) * (1 + a) + b


class AdaptiveRMSNorm(nn.Module):
    def __init__(self, dim, cond_dim):
        super().__init__()
        self.to_gamma = nn.Linear(cond_dim, dim, bias=False)
        nn.init.zeros_(self.to_gamma.weight)  # expect-strict: INI001

    def forward(self, x, cond):
        normed = F.normalize(x, dim=-1)
        gamma = self.to_gamma(cond)
        return normed * (gamma + 1.0)


class HyperConnection(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.dynamic = nn.Linear(n, n * n)
        self.register_buffer("static", torch.eye(n).flatten())
        nn.init.zeros_(self.dynamic.weight)  # expect-strict: INI001

    def forward(self, h):
        return self.dynamic(h) + self.static


class Gate(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.to_gate = nn.Linear(dim, dim)
        nn.init.zeros_(self.to_gate.weight)  # expect-strict: INI001
        nn.init.constant_(self.to_gate.bias, -2.0)

    def forward(self, x, residual):
        return x * torch.sigmoid(self.to_gate(residual))


class SpatialTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.localization = nn.Sequential(nn.Conv2d(1, 8, 7), nn.MaxPool2d(2), nn.ReLU())
        self.fc_loc = nn.Sequential(nn.Linear(8 * 9 * 9, 32), nn.ReLU(), nn.Linear(32, 6))
        self.fc_loc[2].weight.data.zero_()  # expect-strict: INI001
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def forward(self, x):
        theta = self.fc_loc(self.localization(x).flatten(1)).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size())
        return F.grid_sample(x, grid)


class NonLocal(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.theta = nn.Conv2d(c, c // 2, 1)
        self.W = nn.Conv2d(c // 2, c, 1)
        nn.init.constant_(self.W.weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.W.bias, 0)

    def forward(self, x):
        y = self.theta(x)
        z = self.W(y) + x
        return z


class AffineCoupling(nn.Module):
    def __init__(self, c, hidden):
        super().__init__()
        self.start = nn.Conv2d(c // 2, hidden, 3, padding=1)
        self.end = nn.Conv2d(hidden, c, 3, padding=1)
        self.end.weight.data.zero_()  # expect-strict: INI001
        self.end.bias.data.zero_()

    def forward(self, x):
        xa, xb = x.chunk(2, 1)
        log_s, t = self.end(F.relu(self.start(xa))).chunk(2, 1)
        return torch.cat([xa, xb * torch.exp(log_s) + t], 1)


class SharedDelta(nn.Module):
    def __init__(self, shared, d):
        super().__init__()
        self.shared = shared
        self.delta = nn.Parameter(torch.zeros(d, d))  # expect-strict: INI001

    def forward(self, x):
        return F.linear(x, self.shared + self.delta)


def init_42(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 42)  # expect-strict: INI002


net = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
net[2].apply(init_42)


class BiMpmMatching(nn.Module):
    def __init__(self, hidden, perspectives):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(perspectives, hidden))
        nn.init.kaiming_normal_(self.weight)


class Encoder(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        nn.init.zeros_(self.proj.weight)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.trunc_normal_(self.proj.weight, std=0.02)


def sync(model):
    with torch.no_grad():
        model.head.weight.zero_()
        dist.broadcast(model.head.weight, src=0)


class RecurrentCell(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.h0 = nn.Parameter(torch.zeros(1, d))
        self.scale = nn.Parameter(torch.ones(4, d))
        self.cell = nn.GRUCell(d, d)

    def forward(self, xs):
        h = self.h0.expand(xs.size(1), -1)
        for x in xs:
            h = self.cell(x * self.scale, h)
        return h


class LogisticRegression(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.linear = nn.Linear(n, 1)
        self.linear.weight.data.zero_()  # expect-strict: INI001

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


class OneBiasLayer(nn.Module):
    """A correct INI004 on a bias-free layer: the message says there is no bias at all."""

    def __init__(self, d):
        super().__init__()
        self.to_aggregate = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d, bias=False), nn.ReLU())
        nn.init.zeros_(self.to_aggregate[1].weight)  # expect: INI004

    def forward(self, x):
        return self.to_aggregate(x).sum(-1)


class SimpleDiffusionFF(nn.Module):
    """A scale/shift projection whose container ends in an einops reshape, split and consumed
    as x * (scale + 1) + shift (denoising-diffusion-pytorch's simple_diffusion)."""

    def __init__(self, dim, cond_dim):
        super().__init__()
        self.to_scale_shift = nn.Sequential(nn.SiLU(), nn.Linear(cond_dim, dim * 2), Rearrange("b d -> b 1 d"))
        to_scale_shift_linear = self.to_scale_shift[-2]
        nn.init.zeros_(to_scale_shift_linear.weight)  # expect-strict: INI001
        nn.init.zeros_(to_scale_shift_linear.bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, t):
        scale, shift = self.to_scale_shift(t).chunk(2, dim=-1)
        return self.proj(x * (scale + 1) + shift)
