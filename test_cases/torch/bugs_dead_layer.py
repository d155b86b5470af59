"""INI004: a zero weight feeding an activation with φ'(0) = 0, and chains of zero layers.

φ'(0) = 0 (dead): ReLU, ReLU6, Hardtanh(min_val=0, ...), Threshold, squared ReLU.
φ'(0) ≠ 0 (not dead): LeakyReLU, ELU, SELU, PReLU, GELU, SiLU, Tanh, Sigmoid, default Hardtanh(-1, 1).
With a zero (or absent) bias every unit of the zero layer is dead; with PyTorch's default random
bias the units whose bias is ≤ 0 (about half) are. Two zero layers chained are dead when the first
has a zero/absent bias and φ(0) = 0 between them (GELU(0) = tanh(0) = 0 too); with φ(0) ≠ 0
(sigmoid) they stay symmetric instead (INI001, not INI004).
Intent never excuses a dead layer: a target named like a gate still gets INI004.

Real bugs this is modelled on:
* yz93/LAVT-RIS issues #15 and #25: `res_gate = Sequential(Linear(bias=False), ReLU(), Linear(bias=False),
  Tanh())` with both Linear weights zeroed "to ease the start of training": the gradient of both
  is always 0 (the authors' init was overwritten later, which hid it);
* lucidrains/deep-cross-attention issue #2: a zero `Linear(dim, n, bias=False)` placed before
  `nn.ReLU()` in a Sequential: "no symmetry-breaking and no gradient", fixed with a small init;
* modded-nanogpt-style MLPs use relu² (`F.relu(x).square()`): zeroing the layer *before* it is dead,
  zeroing the one after it (c_proj) is the idiom (see idioms_residual.py).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from zeta.utils import init_zero_


class ResidualGateFusion(nn.Module):
    """LAVT-like: both gate layers zeroed; the first feeds a ReLU and has no bias."""

    def __init__(self, dim):
        super().__init__()
        self.res_gate = nn.Sequential(
            nn.Linear(dim, dim, bias=False),
            nn.ReLU(),
            nn.Linear(dim, dim, bias=False),
            nn.Tanh(),
        )
        nn.init.zeros_(self.res_gate[0].weight)  # expect: INI004
        nn.init.zeros_(self.res_gate[2].weight)  # expect: INI004

    def forward(self, x, x_residual):
        return x + self.res_gate(x_residual) * x_residual


class GatedResidualAggregator(nn.Module):
    """deep-cross-attention-like: the zero layer is built first, then placed before a ReLU."""

    def __init__(self, dim, num_outputs):
        super().__init__()
        linear = nn.Linear(dim, num_outputs, bias=False)
        nn.init.zeros_(linear.weight)  # expect: INI004
        self.to_aggregate = nn.Sequential(nn.LayerNorm(dim), linear, nn.ReLU())

    def forward(self, x):
        return self.to_aggregate(x)


class TwoLayerNet(nn.Module):
    """Forward-visible ReLU; default random bias, so about half the units are dead."""

    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.hidden = nn.Linear(d_in, d_hidden)
        self.readout_layer = nn.Linear(d_hidden, d_out)
        nn.init.zeros_(self.hidden.weight)  # expect: INI004

    def forward(self, x):
        return self.readout_layer(F.relu(self.hidden(x)))


class InvertedResidual(nn.Module):
    def __init__(self, c, expand_ratio=6):
        super().__init__()
        self.expand = nn.Conv2d(c, c * expand_ratio, 1, bias=False)
        self.act = nn.ReLU6(inplace=True)
        self.project = nn.Conv2d(c * expand_ratio, c, 1, bias=False)
        nn.init.constant_(self.expand.weight, 0.0)  # expect: INI004

    def forward(self, x):
        return x + self.project(self.act(self.expand(x)))


class TorchReluBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.lin1 = nn.Linear(dim, 4 * dim)
        self.lin2 = nn.Linear(4 * dim, dim)
        with torch.no_grad():
            self.lin1.weight.zero_()  # expect: INI004

    def forward(self, x):
        return self.lin2(torch.relu(self.lin1(x)))


class SquaredReluMLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)
        self.c_fc.weight.data.zero_()  # expect: INI004

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class ClampedStack(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.hard = nn.Sequential(nn.Linear(d, d), nn.Hardtanh(min_val=0.0, max_val=6.0), nn.Linear(d, d))
        self.thresh = nn.Sequential(nn.Linear(d, d), nn.Threshold(0.1, 0.0), nn.Linear(d, d))
        nn.init.zeros_(self.hard[0].weight)  # expect: INI004
        nn.init.zeros_(self.thresh[0].weight)  # expect: INI004


class GateProjectionMLP(nn.Module):
    """A name that says "gate" does not excuse a zero layer in front of a ReLU."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)
        nn.init.zeros_(self.gate_proj.weight)  # expect: INI004

    def forward(self, x):
        return self.down_proj(F.relu(self.gate_proj(x)) * self.up_proj(x))


class ZetaProjection(nn.Module):
    """zeta's init_zero_ also zeroes the bias: every unit of `proj` is dead."""

    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.mix = nn.Linear(dim, dim)
        init_zero_(self.proj)  # expect: INI004

    def forward(self, x):
        return self.mix(F.relu(self.proj(x)))


class ChainedThroughGelu(nn.Module):
    """Two zero layers, the first without bias, GELU(0) = 0 between them: both dead."""

    def __init__(self, d, h):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, h, bias=False), nn.GELU(), nn.Dropout(0.1), nn.Linear(h, d))
        nn.init.zeros_(self.mlp[0].weight)  # expect: INI004
        nn.init.zeros_(self.mlp[3].weight)  # expect: INI004


class ChainedClearedBias(nn.Module):
    """Same chain, the first bias zeroed explicitly, SiLU(0) = 0 in between."""

    def __init__(self, d, h):
        super().__init__()
        self.lin_a = nn.Linear(d, h)
        self.lin_b = nn.Linear(h, d)
        nn.init.zeros_(self.lin_a.weight)  # expect: INI004
        nn.init.zeros_(self.lin_a.bias)
        nn.init.zeros_(self.lin_b.weight)  # expect: INI004

    def forward(self, x):
        return self.lin_b(F.silu(self.lin_a(x)))


# --- look-alikes: zero layers that are NOT dead (INI001 or idiom, never INI004) ---


class ChainWithRandomBias(nn.Module):
    """The first layer keeps its random bias: GELU(b) differs per unit, so nothing is dead."""

    def __init__(self, d, h):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, h), nn.GELU(), nn.Linear(h, d))
        nn.init.zeros_(self.mlp[0].weight)  # expect: INI001
        nn.init.zeros_(self.mlp[-1].weight)  # expect-strict: INI001


class ChainThroughSigmoid(nn.Module):
    """sigmoid(0) = 0.5 ≠ 0: the pair ends symmetric, not dead."""

    def __init__(self, d, h):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, h), nn.Sigmoid(), nn.Linear(h, d))
        nn.init.zeros_(self.mlp[0].weight)  # expect: INI001
        nn.init.zeros_(self.mlp[0].bias)
        nn.init.zeros_(self.mlp[-1].weight)  # expect-strict: INI001


class NonDeadActivations(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.leaky = nn.Sequential(nn.Linear(d, d), nn.LeakyReLU(0.2), nn.Linear(d, d))
        self.elu = nn.Sequential(nn.Linear(d, d), nn.ELU(), nn.Linear(d, d))
        self.tanh = nn.Sequential(nn.Linear(d, d), nn.Tanh(), nn.Linear(d, d))
        self.hardtanh = nn.Sequential(nn.Linear(d, d), nn.Hardtanh(), nn.Linear(d, d))
        self.prelu = nn.Sequential(nn.Linear(d, d), nn.PReLU(), nn.Linear(d, d))
        nn.init.zeros_(self.leaky[0].weight)  # expect: INI001
        nn.init.zeros_(self.elu[0].weight)  # expect: INI001
        nn.init.zeros_(self.tanh[0].weight)  # expect: INI001
        nn.init.zeros_(self.hardtanh[0].weight)  # expect: INI001
        nn.init.zeros_(self.prelu[0].weight)  # expect: INI001


class GeluForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.lin1 = nn.Linear(d, 4 * d, bias=False)
        self.lin2 = nn.Linear(4 * d, d)
        self.act = nn.GELU()
        nn.init.zeros_(self.lin1.weight)  # expect: INI001

    def forward(self, x):
        return self.lin2(self.act(self.lin1(x)))


class ReluThenOutputLayer(nn.Module):
    """The zero layer comes *after* the ReLU (it is the last layer): not dead."""

    def __init__(self, d, n_classes):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, n_classes))
        nn.init.zeros_(self.net[-1].weight)  # expect-strict: INI001
