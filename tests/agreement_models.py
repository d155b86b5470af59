"""Runtime twins of the PyTorch cases in test_cases/torch/: model sources the linter judges.

Each ``Case`` holds a small, self-contained model source (only torch imports, plus zeta's
``init_zero_`` where the original case uses it; the test provides a stand-in module for it),
annotated like the files in test_cases/ (``# expect: CODE`` = reported by default,
``# expect-strict: CODE`` = a recognised idiom). The source is written as in the fixture it
mirrors (``mirrors`` names the class or function), shrunk to sizes that run in milliseconds, and
given a ``forward`` where the fixture has none. The linter only reads the source; the test
``exec``s it to build the model and probe it with ``check_model_init``.

``runtime`` is the exact ``{parameter name: code}`` the probe must report (``{}``: no problem;
``None``: only the verdict is asserted, for the cases marked ``xfail`` whose right runtime answer
is not pinned yet).
``kind`` is the category the static verdict falls in, with the science of DESIGN.md §1 that
decides the runtime verdict:

* ``bug``   (INI003 / INI004 by default): the probe must report at least one problem;
* ``idiom`` (only ``expect-strict`` findings): the probe must report none; every weight the check
  without inputs flags as all-zero must be exonerated in the notes ("trains");
* ``silent`` (no finding: zero BatchNorm γ of the last norm of a branch, ReZero's scalar gate):
  no problem with or without inputs;
* ``smell`` (INI001/INI002 by default, "intent not evident"): the check without inputs must agree
  (it flags the same weight); with the probe the science decides: a lone zero layer next to
  random neighbours, or one whose random bias gives each unit its own φ(b), trains (no problem);
  a zero chain through sigmoid (φ(0) ≠ 0) stays symmetric forever (INI005); a lone constant
  layer drifts apart but keeps its INI002 (a scaling smell on both sides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import torch

BUG, IDIOM, SILENT, SMELL = "bug", "idiom", "silent", "smell"


@dataclass(frozen=True)
class Case:
    id: str
    mirrors: str  # test_cases/torch/<file>.py::<name>
    kind: str
    source: str
    make: Callable  # namespace -> (model, example_inputs)
    runtime: Optional[dict] = field(default_factory=dict)  # None: only the verdict is asserted
    xfail: Optional[str] = None  # a genuine disagreement: the reason, naming the side that is wrong


def x(*shape: int) -> torch.Tensor:
    return torch.randn(*shape)


HEADER = "import math\n\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

# ----------------------------------------------------------------------------------------------
# Bugs: every-layer inits (INI003)
# ----------------------------------------------------------------------------------------------

APPLY_ZEROS = HEADER + '''

def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.weight)  # expect: INI003
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


def init_model(model: nn.Module):
    model.apply(init_weights)
    return model
'''

APPLY_LAMBDA_CONSTANT = HEADER + '''

def init_model(model: nn.Module):
    model.apply(lambda m: nn.init.constant_(m.weight, 0.05) if isinstance(m, nn.Linear) else None)  # expect: INI003
    return model
'''

CONSTANT_MODULELIST = HEADER + '''

class MLP(nn.Module):
    def __init__(self, dims=(8, 16, 16, 4)):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        for layer in self.layers:
            nn.init.constant_(layer.weight, 0.1)  # expect: INI003
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.tanh(layer(x))
        return self.layers[-1](x)
'''

TRAJECTORY_POLICY = HEADER + '''

class TrajectoryPolicy(nn.Module):
    def __init__(self, d_model=16, n_actions=5, n_layers=2):
        super().__init__()
        self.token_embed = nn.Embedding(64, d_model)
        layer = nn.TransformerEncoderLayer(d_model, 2, 2 * d_model, dropout=0.0, batch_first=True)
        self.traj_transformer = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.action_head = nn.Linear(d_model, n_actions)
        self.value_head = nn.Linear(d_model, 1)
        self._init_weights()

    def _init_weights(self):
        nn.init.trunc_normal_(self.token_embed.weight, std=0.02)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
        nn.init.zeros_(self.value_head.weight)  # expect-strict: INI001
        nn.init.zeros_(self.value_head.bias)
        for module in self.traj_transformer.modules():
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.weight)  # expect: INI003
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, tokens):
        h = self.traj_transformer(self.token_embed(tokens))
        return self.action_head(h), self.value_head(h)
'''

ADAPTER_LOOP = HEADER + '''

class Actor(nn.Module):
    def __init__(self, obs_dim=8, hidden=16, n_actions=4):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh())
        self.adapter = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))
        self.log_std = nn.Parameter(torch.zeros(n_actions))

    def forward(self, obs):
        return self.adapter(self.backbone(obs))


def prepare_actor(actor: nn.Module, log_std_init=-2.0):
    for module in actor.adapter.modules():
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)  # expect: INI003
            nn.init.zeros_(module.bias)
    with torch.no_grad():
        actor.log_std.fill_(log_std_init)
    return actor
'''

RESET_ALL_PARAMETERS = HEADER + '''

def reset_all_parameters(model: nn.Module):
    for p in model.parameters():
        nn.init.zeros_(p)  # expect: INI003
'''

EVERY_BN_GAMMA_ZERO = HEADER + '''

class SmallCNN(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1, bias=False),
            nn.BatchNorm2d(4),
            nn.ReLU(inplace=True),
            nn.Conv2d(4, 4, 3, padding=1, bias=False),
            nn.BatchNorm2d(4),
            nn.ReLU(inplace=True),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.linear = nn.Linear(4, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.zeros_(m.weight)  # expect: INI003
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.linear(torch.flatten(self.pool(self.features(x)), 1))
'''

EVERY_GN_GAMMA_ZERO = HEADER + '''

class SmallCNNGroupNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3), nn.GroupNorm(2, 4), nn.ReLU(), nn.Conv2d(4, 4, 3), nn.GroupNorm(2, 4), nn.ReLU())
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.constant_(m.weight, 0)  # expect: INI003
            nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.Conv2d):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")

    def forward(self, x):
        return self.body(x)
'''

# ----------------------------------------------------------------------------------------------
# Bugs: dead layers (INI004)
# ----------------------------------------------------------------------------------------------

SEED_ZETA_LOOP = '''import torch
import torch.nn as nn
from zeta.utils import init_zero_


def example_all_layers_of_a_model():
    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
    for layer in model:
        if hasattr(layer, "weight"):
            init_zero_(layer)  # expect: INI004
    return model
'''

LAVT_GATE = HEADER + '''

class ResidualGateFusion(nn.Module):
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
'''

DEEP_CROSS_ATTENTION = HEADER + '''

class GatedResidualAggregator(nn.Module):
    def __init__(self, dim, num_outputs):
        super().__init__()
        linear = nn.Linear(dim, num_outputs, bias=False)
        nn.init.zeros_(linear.weight)  # expect: INI004
        self.to_aggregate = nn.Sequential(nn.LayerNorm(dim), linear, nn.ReLU())

    def forward(self, x):
        return self.to_aggregate(x)
'''

TWO_LAYER_RANDOM_BIAS = HEADER + '''

class TwoLayerNet(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.hidden = nn.Linear(d_in, d_hidden)
        self.readout_layer = nn.Linear(d_hidden, d_out)
        nn.init.zeros_(self.hidden.weight)  # expect: INI004

    def forward(self, x):
        return self.readout_layer(F.relu(self.hidden(x)))
'''

INVERTED_RESIDUAL_RELU6 = HEADER + '''

class InvertedResidual(nn.Module):
    def __init__(self, c, expand_ratio=6):
        super().__init__()
        self.expand = nn.Conv2d(c, c * expand_ratio, 1, bias=False)
        self.act = nn.ReLU6(inplace=True)
        self.project = nn.Conv2d(c * expand_ratio, c, 1, bias=False)
        nn.init.constant_(self.expand.weight, 0.0)  # expect: INI004

    def forward(self, x):
        return x + self.project(self.act(self.expand(x)))
'''

SQUARED_RELU = HEADER + '''

class SquaredReluMLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)
        self.c_fc.weight.data.zero_()  # expect: INI004

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())
'''

HARDTANH_ZERO_MIN = HEADER + '''

class ClampedStack(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.hard = nn.Sequential(nn.Linear(d, d), nn.Hardtanh(min_val=0.0, max_val=6.0), nn.Linear(d, d))
        nn.init.zeros_(self.hard[0].weight)  # expect: INI004

    def forward(self, x):
        return self.hard(x)
'''

GATE_PROJ = HEADER + '''

class GateProjectionMLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)
        nn.init.zeros_(self.gate_proj.weight)  # expect: INI004

    def forward(self, x):
        return self.down_proj(F.relu(self.gate_proj(x)) * self.up_proj(x))
'''

ZETA_PROJECTION = HEADER + '''from zeta.utils import init_zero_


class ZetaProjection(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.mix = nn.Linear(dim, dim)
        init_zero_(self.proj)  # expect: INI004

    def forward(self, x):
        return self.mix(F.relu(self.proj(x)))
'''

CHAINED_GELU = HEADER + '''

class ChainedThroughGelu(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, h, bias=False), nn.GELU(), nn.Dropout(0.1), nn.Linear(h, d))
        nn.init.zeros_(self.mlp[0].weight)  # expect: INI004
        nn.init.zeros_(self.mlp[3].weight)  # expect: INI004

    def forward(self, x):
        return self.mlp(x)
'''

CHAINED_SILU_CLEARED_BIAS = HEADER + '''

class ChainedClearedBias(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.lin_a = nn.Linear(d, h)
        self.lin_b = nn.Linear(h, d)
        nn.init.zeros_(self.lin_a.weight)  # expect: INI004
        nn.init.zeros_(self.lin_a.bias)
        nn.init.zeros_(self.lin_b.weight)  # expect: INI004

    def forward(self, x):
        return self.lin_b(F.silu(self.lin_a(x)))
'''

# ----------------------------------------------------------------------------------------------
# Smells: a zero or constant weight with no sign of intent (INI001 / INI002 by default)
# ----------------------------------------------------------------------------------------------

CHAIN_RANDOM_BIAS_GELU = HEADER + '''

class ChainWithRandomBias(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, h), nn.GELU(), nn.Linear(h, d))
        nn.init.zeros_(self.mlp[0].weight)  # expect: INI001
        nn.init.zeros_(self.mlp[-1].weight)  # expect-strict: INI001

    def forward(self, x):
        return self.mlp(x)
'''

CHAIN_SIGMOID = HEADER + '''

class ChainThroughSigmoid(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, h), nn.Sigmoid(), nn.Linear(h, d))
        nn.init.zeros_(self.mlp[0].weight)  # expect: INI001
        nn.init.zeros_(self.mlp[0].bias)
        nn.init.zeros_(self.mlp[-1].weight)  # expect-strict: INI001

    def forward(self, x):
        return self.mlp(x)
'''

NON_DEAD_ACTIVATIONS = HEADER + '''

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

    def forward(self, x):
        return self.leaky(x), self.elu(x), self.tanh(x), self.hardtanh(x), self.prelu(x)
'''

GELU_NO_BIAS = HEADER + '''

class GeluForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.lin1 = nn.Linear(d, 4 * d, bias=False)
        self.lin2 = nn.Linear(4 * d, d)
        self.act = nn.GELU()
        nn.init.zeros_(self.lin1.weight)  # expect: INI001

    def forward(self, x):
        return self.lin2(self.act(self.lin1(x)))
'''

LONE_ONES_LAYER = HEADER + '''

class OnesHidden(nn.Module):
    def __init__(self, d_in=8, hidden=16, d_out=4):
        super().__init__()
        self.inp = nn.Linear(d_in, hidden)
        self.hidden = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, d_out)
        nn.init.ones_(self.hidden.weight)  # expect: INI002
        nn.init.zeros_(self.hidden.bias)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(torch.relu(self.inp(x)))))
'''

# ----------------------------------------------------------------------------------------------
# Idioms (expect-strict only) and silent deliberate inits
# ----------------------------------------------------------------------------------------------

PEFT_LORA = HEADER + '''

class LowRankAdapterLayer(nn.Module):
    def __init__(self, base_layer: nn.Linear):
        super().__init__()
        self.base_layer = base_layer
        self.in_features = base_layer.in_features
        self.out_features = base_layer.out_features
        self.r = {}
        self.scaling = {}
        self.lora_dropout = nn.ModuleDict({})
        self.lora_A = nn.ModuleDict({})
        self.lora_B = nn.ModuleDict({})

    def add_adapter(self, name, r, alpha):
        self.r[name] = r
        self.scaling[name] = alpha / r
        self.lora_dropout[name] = nn.Dropout(p=0.05)
        self.lora_A[name] = nn.Linear(self.in_features, r, bias=False)
        self.lora_B[name] = nn.Linear(r, self.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A[name].weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B[name].weight)  # expect-strict: INI001

    def forward(self, x):
        out = self.base_layer(x)
        for name in self.lora_A:
            h = self.lora_A[name](self.lora_dropout[name](x))
            out = out + self.lora_B[name](h) * self.scaling[name]
        return out
'''

DIFFUSERS_LORA = HEADER + '''

class LoRALinearLayer(nn.Module):
    def __init__(self, in_features, out_features, rank=4, network_alpha=None):
        super().__init__()
        self.down = nn.Linear(in_features, rank, bias=False)
        self.up = nn.Linear(rank, out_features, bias=False)
        self.network_alpha = network_alpha
        self.rank = rank
        nn.init.normal_(self.down.weight, std=1 / rank)
        nn.init.zeros_(self.up.weight)  # expect-strict: INI001

    def forward(self, hidden_states):
        up = self.up(self.down(hidden_states))
        if self.network_alpha is not None:
            up = up * (self.network_alpha / self.rank)
        return up
'''

LORALIB_PARAMETERS = HEADER + '''

class MergedLoRALinear(nn.Linear):
    def __init__(self, in_features, out_features, r=4, lora_alpha=8):
        super().__init__(in_features, out_features)
        self.lora_A = nn.Parameter(torch.zeros(r, in_features))
        self.lora_B = nn.Parameter(torch.zeros(out_features, r))
        self.scaling = lora_alpha / r
        self.weight.requires_grad = False
        self.reset_lora()

    def reset_lora(self):
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B)  # expect-strict: INI001

    def forward(self, x):
        delta = (x @ self.lora_A.transpose(0, 1)) @ self.lora_B.transpose(0, 1)
        return F.linear(x, self.weight, self.bias) + delta * self.scaling
'''

ZERO_FC_HEAD = HEADER + '''

class ResNetClassifier(nn.Module):
    def __init__(self, backbone: nn.Module, feat_dim=8, num_classes=5):
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(feat_dim, num_classes)
        nn.init.zeros_(self.fc.weight)  # expect-strict: INI001
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(torch.flatten(self.backbone(x), 1))


def small_backbone():
    return nn.Sequential(nn.Conv2d(3, 8, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
'''

ZERO_VALUE_HEAD = HEADER + '''

class ActorCritic(nn.Module):
    def __init__(self, obs_dim=8, hidden=16, n_actions=4):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.action_head = nn.Linear(hidden, n_actions)
        self.value_head = nn.Linear(hidden, 1)
        for m in self.trunk:
            if isinstance(m, nn.Linear):
                nn.init.orthogonal_(m.weight, gain=math.sqrt(2))
                nn.init.zeros_(m.bias)
        nn.init.orthogonal_(self.action_head.weight, gain=0.01)
        nn.init.zeros_(self.value_head.weight)  # expect-strict: INI001
        nn.init.zeros_(self.value_head.bias)

    def forward(self, obs):
        h = self.trunk(obs)
        return self.action_head(h), self.value_head(h)
'''

DIT_ADALN_ZERO = HEADER + '''

def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


class DiTBlock(nn.Module):
    def __init__(self, hidden_size, num_heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=1e-6)
        self.attn = nn.MultiheadAttention(hidden_size, num_heads, batch_first=True)
        self.norm2 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=1e-6)
        hidden = int(hidden_size * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(hidden_size, hidden), nn.GELU(approximate="tanh"), nn.Linear(hidden, hidden_size))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 6 * hidden_size, bias=True))

    def forward(self, x, c):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.adaLN_modulation(c).chunk(6, dim=1)
        h = modulate(self.norm1(x), shift_msa, scale_msa)
        x = x + gate_msa.unsqueeze(1) * self.attn(h, h, h, need_weights=False)[0]
        x = x + gate_mlp.unsqueeze(1) * self.mlp(modulate(self.norm2(x), shift_mlp, scale_mlp))
        return x


class FinalLayer(nn.Module):
    def __init__(self, hidden_size, patch_size, out_channels):
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(hidden_size, patch_size * patch_size * out_channels, bias=True)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 2 * hidden_size, bias=True))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm_final(x), shift, scale))


class DiffusionTransformer(nn.Module):
    def __init__(self, input_size=4, patch_size=2, in_channels=2, hidden_size=16, depth=2, num_heads=2):
        super().__init__()
        self.out_channels = in_channels * 2
        self.x_proj = nn.Conv2d(in_channels, hidden_size, kernel_size=patch_size, stride=patch_size)
        self.c_embedder = nn.Sequential(nn.Linear(4, hidden_size), nn.SiLU(), nn.Linear(hidden_size, hidden_size))
        self.blocks = nn.ModuleList([DiTBlock(hidden_size, num_heads) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden_size, patch_size, self.out_channels)
        self.initialize_weights()

    def initialize_weights(self):
        def _basic_init(module):
            if isinstance(module, nn.Linear):
                torch.nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.constant_(module.bias, 0)

        self.apply(_basic_init)
        for block in self.blocks:
            nn.init.constant_(block.adaLN_modulation[-1].weight, 0)  # expect-strict: INI001
            nn.init.constant_(block.adaLN_modulation[-1].bias, 0)
        nn.init.constant_(self.final_layer.adaLN_modulation[-1].weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.final_layer.adaLN_modulation[-1].bias, 0)
        nn.init.constant_(self.final_layer.linear.weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.final_layer.linear.bias, 0)

    def forward(self, x, cond):
        x = self.x_proj(x).flatten(2).transpose(1, 2)
        c = self.c_embedder(cond)
        for block in self.blocks:
            x = block(x, c)
        return self.final_layer(x, c)
'''

CONTROLNET_ZERO_CONV = HEADER + '''

def zero_module(module):
    for p in module.parameters():
        p.detach().zero_()
    return module


class ControlledEncoder(nn.Module):
    def __init__(self, channels=4):
        super().__init__()
        self.base = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1), nn.SiLU(), nn.Conv2d(channels, channels, 3, padding=1))
        self.input_hint_block = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1),
            nn.SiLU(),
            zero_module(nn.Conv2d(4, channels, 3, padding=1)),  # expect-strict: INI001
        )
        self.zero_convs = nn.ModuleList([self.make_zero_conv(channels)])
        self.control = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.SiLU())

    def make_zero_conv(self, channels):
        return nn.Sequential(zero_module(nn.Conv2d(channels, channels, 1, padding=0)))  # expect-strict: INI001

    def forward(self, x, hint):
        h = self.base(x)
        control = self.control(h + self.input_hint_block(hint))
        return h + self.zero_convs[0](control)
'''

CONDITIONAL_GROUPNORM = HEADER + '''

class ConditionalGroupNorm(nn.Module):
    def __init__(self, groups, channels, context_dim):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, affine=False)
        self.context_mlp = nn.Sequential(nn.SiLU(), nn.Linear(context_dim, 2 * channels))
        self.context_mlp[1].weight.data.zero_()  # expect-strict: INI001
        self.context_mlp[1].bias.data.zero_()

    def forward(self, x, context):
        scale, shift = self.context_mlp(context)[..., None, None].chunk(2, dim=1)
        return self.norm(x) * (scale + 1.0) + shift
'''

FILM_GENERATOR = HEADER + '''

class FiLMGenerator(nn.Module):
    def __init__(self, dim, hidden_dim, expansion=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden_dim * expansion),
            nn.SiLU(),
            nn.Linear(hidden_dim * expansion, dim * 2),
        )
        nn.init.zeros_(self.net[-1].weight)  # expect-strict: INI001
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, cond, hidden):
        scale, shift = self.net(cond).chunk(2, dim=-1)
        return hidden * (scale + 1) + shift
'''

TEMPORAL_CONV_RESIDUAL = HEADER + '''

class TemporalConvBlock(nn.Module):
    def __init__(self, in_dim, out_dim=None, dropout=0.0, groups=2):
        super().__init__()
        out_dim = out_dim or in_dim
        self.conv1 = nn.Sequential(nn.GroupNorm(groups, in_dim), nn.SiLU(), nn.Conv3d(in_dim, out_dim, (3, 1, 1), padding=(1, 0, 0)))
        self.conv2 = nn.Sequential(
            nn.GroupNorm(groups, out_dim),
            nn.SiLU(),
            nn.Dropout(dropout),
            nn.Conv3d(out_dim, in_dim, (3, 1, 1), padding=(1, 0, 0)),
        )
        nn.init.zeros_(self.conv2[-1].weight)  # expect-strict: INI001
        nn.init.zeros_(self.conv2[-1].bias)

    def forward(self, x):
        return x + self.conv2(self.conv1(x))
'''

VIT_ZERO_MLP = HEADER + '''

class ViTBlock(nn.Module):
    def __init__(self, dim, mlp_ratio=4.0):
        super().__init__()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(dim, int(dim * mlp_ratio))
        self.mlp.act = nn.GELU()
        self.mlp.fc2 = nn.Linear(int(dim * mlp_ratio), dim)

    def forward(self, x):
        return x + self.mlp.fc2(self.mlp.act(self.mlp.fc1(self.norm2(x))))


class ResidualViT(nn.Module):
    def __init__(self, dim=16, depth=2, zero_init_mlp=True):
        super().__init__()
        self.blocks = nn.ModuleList([ViTBlock(dim) for _ in range(depth)])
        if zero_init_mlp:
            for blk in self.blocks:
                nn.init.zeros_(blk.mlp.fc2.weight)  # expect-strict: INI001
                nn.init.zeros_(blk.mlp.fc2.bias)

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return x
'''

ZETA_FEEDFORWARD = HEADER + '''from zeta.utils import init_zero_


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4, dropout=0.0, no_bias=False, zero_init_output=False):
        super().__init__()
        inner_dim = int(dim * mult)
        self.ff = nn.Sequential(
            nn.Sequential(nn.Linear(dim, inner_dim, bias=not no_bias), nn.GELU()),
            nn.Dropout(dropout),
            nn.Linear(inner_dim, dim, bias=not no_bias),
        )
        if zero_init_output:
            init_zero_(self.ff[-1])  # expect-strict: INI001

    def forward(self, x):
        return x + self.ff(x)
'''

NANO_RELU2_CPROJ = HEADER + '''

class NanoMLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)
        self.c_proj.weight.data.zero_()  # expect-strict: INI001

    def forward(self, x):
        x = F.relu(self.c_fc(x)).square()
        return self.c_proj(x)
'''

PREACT_ZERO_LAST_CONV = HEADER + '''

class PreActBottleneck(nn.Module):
    def __init__(self, in_chs, out_chs, mid_chs):
        super().__init__()
        self.norm1 = nn.GroupNorm(2, in_chs)
        self.conv1 = nn.Conv2d(in_chs, mid_chs, 1, bias=False)
        self.norm2 = nn.GroupNorm(2, mid_chs)
        self.conv2 = nn.Conv2d(mid_chs, mid_chs, 3, padding=1, bias=False)
        self.norm3 = nn.GroupNorm(2, mid_chs)
        self.conv3 = nn.Conv2d(mid_chs, out_chs, 1, bias=False)

    def zero_init_last(self):
        nn.init.zeros_(self.conv3.weight)  # expect-strict: INI001

    def forward(self, x):
        x_pre = F.relu(self.norm1(x))
        x = self.conv1(x_pre)
        x = self.conv2(F.relu(self.norm2(x)))
        x = self.conv3(F.relu(self.norm3(x)))
        return x + x_pre
'''

FIXUP = HEADER + '''

class FixupBasicBlock(nn.Module):
    def __init__(self, inplanes, planes):
        super().__init__()
        self.bias1a = nn.Parameter(torch.zeros(1))
        self.conv1 = nn.Conv2d(inplanes, planes, 3, padding=1, bias=False)
        self.bias1b = nn.Parameter(torch.zeros(1))
        self.bias2a = nn.Parameter(torch.zeros(1))
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.scale = nn.Parameter(torch.ones(1))
        self.bias2b = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        out = F.relu(self.conv1(x + self.bias1a) + self.bias1b)
        out = self.conv2(out + self.bias2a)
        return F.relu(out * self.scale + self.bias2b + x)


class FixupResNet(nn.Module):
    def __init__(self, layers=(1, 1), num_classes=5):
        super().__init__()
        self.num_layers = sum(layers)
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bias1 = nn.Parameter(torch.zeros(1))
        self.stages = nn.Sequential(*[FixupBasicBlock(4, 4) for _ in range(sum(layers))])
        self.bias2 = nn.Parameter(torch.zeros(1))
        self.fc = nn.Linear(4, num_classes)

        for m in self.modules():
            if isinstance(m, FixupBasicBlock):
                std = math.sqrt(2 / (m.conv1.weight.shape[0] * math.prod(m.conv1.weight.shape[2:])))
                nn.init.normal_(m.conv1.weight, mean=0, std=std * self.num_layers ** (-0.5))
                nn.init.constant_(m.conv2.weight, 0)  # expect-strict: INI001
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0)  # expect-strict: INI001
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = F.relu(self.conv1(x) + self.bias1)
        x = self.stages(x).mean((2, 3))
        return self.fc(x + self.bias2)
'''

MOE_ROUTER = HEADER + '''

class Expert(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)))


class SparseMoE(nn.Module):
    def __init__(self, dim=8, hidden=16, num_experts=4, top_k=2):
        super().__init__()
        self.top_k = top_k
        self.router = nn.Linear(dim, num_experts, bias=False)
        nn.init.zeros_(self.router.weight)  # expect-strict: INI001
        self.experts = nn.ModuleList([Expert(dim, hidden) for _ in range(num_experts)])

    def forward(self, x):
        probs = F.softmax(self.router(x), dim=-1)
        weights, idx = torch.topk(probs, self.top_k, dim=-1)
        out = torch.zeros_like(x)
        for k in range(self.top_k):
            for e, expert in enumerate(self.experts):
                mask = idx[..., k] == e
                if mask.any():
                    out[mask] += weights[..., k][mask, None] * expert(x[mask])
        return out
'''

GLOW_ZERO_CONV = HEADER + '''

class ZeroConv2d(nn.Module):
    def __init__(self, in_channel, out_channel, padding=1):
        super().__init__()
        self.conv = nn.Conv2d(in_channel, out_channel, 3, padding=0)
        self.conv.weight.data.zero_()  # expect-strict: INI001
        self.conv.bias.data.zero_()
        self.scale = nn.Parameter(torch.zeros(1, out_channel, 1, 1))
        self.padding = padding

    def forward(self, x):
        out = F.pad(x, [self.padding] * 4, value=1)
        out = self.conv(out)
        return out * torch.exp(self.scale * 3)


class AffineCoupling(nn.Module):
    def __init__(self, in_channel, filter_size=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_channel // 2, filter_size, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(filter_size, filter_size, 1),
            nn.ReLU(inplace=True),
            ZeroConv2d(filter_size, in_channel),
        )
        self.net[0].weight.data.normal_(0, 0.05)
        self.net[0].bias.data.zero_()
        self.net[2].weight.data.normal_(0, 0.05)
        self.net[2].bias.data.zero_()

    def forward(self, x):
        in_a, in_b = x.chunk(2, 1)
        log_s, t = self.net(in_a).chunk(2, 1)
        s = torch.sigmoid(log_s + 2)
        return torch.cat([in_a, (in_b + t) * s], 1)
'''

SIGMOID_GATE = HEADER + '''

class ResidualFusion(nn.Module):
    def __init__(self, hidden, out_dim):
        super().__init__()
        self.gate = nn.Linear(hidden, out_dim)
        nn.init.zeros_(self.gate.weight)  # expect-strict: INI001
        nn.init.constant_(self.gate.bias, -2.0)

    def forward(self, base, delta):
        return base + torch.sigmoid(self.gate(base)) * delta
'''

ZERO_GAMMA_RESIDUAL_BN = HEADER + '''

class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, norm_layer=nn.BatchNorm2d):
        super().__init__()
        width = planes
        self.conv1 = nn.Conv2d(inplanes, width, kernel_size=1, bias=False)
        self.bn1 = norm_layer(width)
        self.conv2 = nn.Conv2d(width, width, kernel_size=3, padding=1, bias=False)
        self.bn2 = norm_layer(width)
        self.conv3 = nn.Conv2d(width, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = norm_layer(planes * self.expansion)
        self.act = nn.ReLU(inplace=True)

    def zero_init_last(self):
        if getattr(self.bn3, "weight", None) is not None:
            nn.init.zeros_(self.bn3.weight)

    def forward(self, x):
        shortcut = x
        x = self.act(self.bn1(self.conv1(x)))
        x = self.act(self.bn2(self.conv2(x)))
        x = self.bn3(self.conv3(x))
        return self.act(x + shortcut)


class TinyResNet(nn.Module):
    def __init__(self, num_classes=5, zero_init_residual=True):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 1, bias=False)
        self.layer1 = nn.Sequential(Bottleneck(8, 2), Bottleneck(8, 2))
        self.fc = nn.Linear(8, num_classes)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)

    def forward(self, x):
        return self.fc(self.layer1(self.stem(x)).mean((2, 3)))
'''

REZERO = HEADER + '''

class ReZeroEncoderLayer(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward=32, dropout=0.1):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.resweight = nn.Parameter(torch.Tensor([0]))

    def forward(self, src):
        src = src + self.resweight * self.self_attn(src, src, src, need_weights=False)[0]
        return src + self.resweight * self.linear2(F.relu(self.linear1(src)))
'''


# ----------------------------------------------------------------------------------------------
# Builders: namespace of the exec'd source -> (model, example_inputs)
# ----------------------------------------------------------------------------------------------


def _applied(fn_name: str):
    def make(ns):
        model = torch.nn.Sequential(
            torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 4)
        )
        return ns[fn_name](model), x(6, 8)

    return make


def _reset_all(ns):
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.GELU(), torch.nn.Linear(16, 4))
    ns["reset_all_parameters"](model)
    return model, x(6, 8)


def _peft_lora(ns):
    layer = ns["LowRankAdapterLayer"](torch.nn.Linear(16, 12))
    layer.add_adapter("default", r=4, alpha=8)
    return layer, x(6, 16)


def _preact(ns):
    block = ns["PreActBottleneck"](4, 4, 4)
    block.zero_init_last()
    return block, x(1, 4, 3, 3)


def _zero_gamma_resnet(ns):
    model = ns["TinyResNet"]()
    for m in model.modules():  # timm's init_weights(zero_init_last=True) does this too
        if hasattr(m, "zero_init_last"):
            m.zero_init_last()
    return model, x(2, 3, 3, 3)


GAMMA_ZERO_EVERYWHERE = (
    "runtime is wrong: γ = 0 (and β = 0) on every norm that feeds a ReLU makes every norm output 0, "
    "ReLU'(0) = 0, so no conv weight, no γ and no classifier weight ever receives a gradient "
    "(DESIGN.md §1: 'γ = 0 on every norm that feeds a ReLU ... kills the whole chain: a bug'). The "
    "probe sees it but only writes notes ('received no gradient although its weights are not zero'): "
    "norm scales are never judged, and INI004 is only given to units whose own weights are zero"
)

CASES: list[Case] = [
    # --- bugs: every layer (INI003) ---
    Case("apply_zeros_every_linear", "bugs_every_layer.py::init_weights", BUG, APPLY_ZEROS, _applied("init_model"),
         {"0.weight": "INI004", "2.weight": "INI004", "4.weight": "INI004"}),
    # The lambda leaves PyTorch's random biases in place: units with different biases are not
    # interchangeable (DESIGN.md §1, condition (ii)), so the probe sees them drift apart and keeps
    # INI002 on every layer rather than INI005. Still a problem on every layer: the verdicts agree.
    Case("apply_lambda_constant", "bugs_every_layer.py::init_model (lambda)", BUG, APPLY_LAMBDA_CONSTANT,
         _applied("init_model"), {"0.weight": "INI002", "2.weight": "INI002", "4.weight": "INI002"}),
    Case("constant_every_layer_modulelist", "bugs_every_layer.py::MLP", BUG, CONSTANT_MODULELIST,
         lambda ns: (ns["MLP"](), x(6, 8)), {"layers.0.weight": "INI005", "layers.1.weight": "INI005", "layers.2.weight": "INI002"}),
    Case("trajectory_transformer_zeroed", "bugs_every_layer.py::TrajectoryPolicy", BUG, TRAJECTORY_POLICY,
         lambda ns: (ns["TrajectoryPolicy"](), torch.randint(0, 64, (3, 5))),
         # linear1 (zero weight and bias) feeds the encoder's ReLU: dead, and linear2 behind it too;
         # the zero out_proj sits between random q/k/v and the residual stream: it trains (a note).
         {f"traj_transformer.layers.{i}.{n}.weight": "INI004" for i in (0, 1) for n in ("linear1", "linear2")}),
    Case("adapter_loop_zeroed", "bugs_every_layer.py::prepare_actor", BUG, ADAPTER_LOOP,
         lambda ns: (ns["prepare_actor"](ns["Actor"]()), x(6, 8)), {"adapter.0.weight": "INI004", "adapter.2.weight": "INI004"}),
    Case("reset_all_parameters", "bugs_every_layer.py::reset_all_parameters", BUG, RESET_ALL_PARAMETERS, _reset_all,
         {"0.weight": "INI004", "2.weight": "INI004"}),
    Case("every_batchnorm_gamma_zero", "bugs_every_layer.py::SmallCNN", BUG, EVERY_BN_GAMMA_ZERO,
         lambda ns: (ns["SmallCNN"](), x(2, 3, 4, 4)), None),
    Case("every_groupnorm_gamma_zero", "bugs_every_layer.py::SmallCNNGroupNorm", BUG, EVERY_GN_GAMMA_ZERO,
         lambda ns: (ns["SmallCNNGroupNorm"](), x(2, 3, 6, 6)), None),
    # --- bugs: dead layers (INI004) ---
    Case("seed_zeta_init_zero_loop", "seed_zeta_init_zero.py::example_all_layers_of_a_model", BUG, SEED_ZETA_LOOP,
         lambda ns: (ns["example_all_layers_of_a_model"](), x(8, 10)), {"0.weight": "INI004", "2.weight": "INI004"}),
    Case("lavt_res_gate", "bugs_dead_layer.py::ResidualGateFusion", BUG, LAVT_GATE,
         lambda ns: (ns["ResidualGateFusion"](8), (x(6, 8), x(6, 8))), {"res_gate.0.weight": "INI004", "res_gate.2.weight": "INI004"}),
    Case("zero_before_relu_no_bias", "bugs_dead_layer.py::GatedResidualAggregator", BUG, DEEP_CROSS_ATTENTION,
         lambda ns: (ns["GatedResidualAggregator"](8, 4), x(6, 8)), {"to_aggregate.1.weight": "INI004"}),
    Case("zero_before_relu_random_bias", "bugs_dead_layer.py::TwoLayerNet", BUG, TWO_LAYER_RANDOM_BIAS,
         lambda ns: (ns["TwoLayerNet"](8, 16, 4), x(6, 8)), {"hidden.weight": "INI004"}),
    Case("zero_before_relu6_conv", "bugs_dead_layer.py::InvertedResidual", BUG, INVERTED_RESIDUAL_RELU6,
         lambda ns: (ns["InvertedResidual"](2), x(2, 2, 3, 3)), {"expand.weight": "INI004"}),
    Case("zero_before_squared_relu", "bugs_dead_layer.py::SquaredReluMLP", BUG, SQUARED_RELU,
         lambda ns: (ns["SquaredReluMLP"](8), x(6, 8)), {"c_fc.weight": "INI004"}),
    Case("zero_before_hardtanh_0_6", "bugs_dead_layer.py::ClampedStack", BUG, HARDTANH_ZERO_MIN,
         lambda ns: (ns["ClampedStack"](16), x(6, 16)), {"hard.0.weight": "INI004"}),
    Case("gate_proj_before_relu", "bugs_dead_layer.py::GateProjectionMLP", BUG, GATE_PROJ,
         lambda ns: (ns["GateProjectionMLP"](8, 16), x(6, 8)), {"gate_proj.weight": "INI004"}),
    Case("zeta_init_zero_before_relu", "bugs_dead_layer.py::ZetaProjection", BUG, ZETA_PROJECTION,
         lambda ns: (ns["ZetaProjection"](8), x(6, 8)), {"proj.weight": "INI004"}),
    Case("chained_zero_through_gelu", "bugs_dead_layer.py::ChainedThroughGelu", BUG, CHAINED_GELU,
         lambda ns: (ns["ChainedThroughGelu"](8, 16), x(6, 8)), {"mlp.0.weight": "INI004", "mlp.3.weight": "INI004"}),
    Case("chained_zero_through_silu", "bugs_dead_layer.py::ChainedClearedBias", BUG, CHAINED_SILU_CLEARED_BIAS,
         lambda ns: (ns["ChainedClearedBias"](8, 16), x(6, 8)), {"lin_a.weight": "INI004", "lin_b.weight": "INI004"}),
    # --- smells: INI001/INI002 with no intent; the science decides the probe's verdict ---
    Case("zero_chain_random_bias_gelu", "bugs_dead_layer.py::ChainWithRandomBias", SMELL, CHAIN_RANDOM_BIAS_GELU,
         lambda ns: (ns["ChainWithRandomBias"](8, 16), x(6, 8)), {}),
    Case("zero_chain_through_sigmoid", "bugs_dead_layer.py::ChainThroughSigmoid", SMELL, CHAIN_SIGMOID,
         lambda ns: (ns["ChainThroughSigmoid"](8, 16), x(6, 8)), {"mlp.0.weight": "INI005"}),
    Case("zero_before_non_dead_activations", "bugs_dead_layer.py::NonDeadActivations", SMELL, NON_DEAD_ACTIVATIONS,
         lambda ns: (ns["NonDeadActivations"](8), x(6, 8)), {}),
    Case("zero_no_bias_before_gelu", "bugs_dead_layer.py::GeluForward", SMELL, GELU_NO_BIAS,
         lambda ns: (ns["GeluForward"](8), x(6, 8)), {}),
    Case("lone_ones_hidden_layer", "seed_pytorch_constant_identity.py::variant_ones_on_layer_weight", SMELL,
         LONE_ONES_LAYER, lambda ns: (ns["OnesHidden"](), x(6, 8)), {"hidden.weight": "INI002"}),
    # --- idioms ---
    Case("peft_lora_B_zero", "idioms_lora_peft.py::LowRankAdapterLayer", IDIOM, PEFT_LORA, _peft_lora),
    Case("diffusers_lora_up_zero", "idioms_lora_peft.py::LoRALinearLayer", IDIOM, DIFFUSERS_LORA,
         lambda ns: (ns["LoRALinearLayer"](16, 12), x(6, 16))),
    Case("loralib_lora_B_parameter", "idioms_lora_peft.py::MergedLoRALinear", IDIOM, LORALIB_PARAMETERS,
         lambda ns: (ns["MergedLoRALinear"](16, 12), x(6, 16))),
    Case("zero_classifier_head", "idioms_heads.py::ResNetClassifier", IDIOM, ZERO_FC_HEAD,
         lambda ns: (ns["ResNetClassifier"](ns["small_backbone"]()), x(2, 3, 4, 4))),
    Case("zero_value_head", "idioms_heads.py::ActorCritic", IDIOM, ZERO_VALUE_HEAD,
         lambda ns: (ns["ActorCritic"](), x(6, 8))),
    Case("dit_adaln_zero", "idioms_diffusion.py::DiffusionTransformer", IDIOM, DIT_ADALN_ZERO,
         lambda ns: (ns["DiffusionTransformer"](), (x(2, 2, 4, 4), x(2, 4)))),
    Case("controlnet_zero_conv", "idioms_diffusion.py::zero_module + ControlBranch", IDIOM, CONTROLNET_ZERO_CONV,
         lambda ns: (ns["ControlledEncoder"](), (x(1, 3, 4, 4), x(1, 3, 4, 4)))),
    Case("conditional_groupnorm_zero", "idioms_diffusion.py::ConditionalGroupNorm", IDIOM, CONDITIONAL_GROUPNORM,
         lambda ns: (ns["ConditionalGroupNorm"](2, 8, 6), (x(3, 8, 2, 2), x(3, 6)))),
    Case("film_last_layer_zero", "idioms_diffusion.py::FiLMGenerator", IDIOM, FILM_GENERATOR,
         lambda ns: (ns["FiLMGenerator"](8, 4), (x(6, 8), x(6, 8)))),
    Case("residual_conv3d_last_zero", "idioms_diffusion.py::TemporalConvBlock", IDIOM, TEMPORAL_CONV_RESIDUAL,
         lambda ns: (ns["TemporalConvBlock"](4), x(1, 4, 3, 2, 2))),
    Case("residual_mlp_fc2_zero", "idioms_residual.py::ResidualViT", IDIOM, VIT_ZERO_MLP,
         lambda ns: (ns["ResidualViT"](), x(2, 5, 16))),
    Case("zeta_feedforward_zero_output", "idioms_residual.py::FeedForward", IDIOM, ZETA_FEEDFORWARD,
         lambda ns: (ns["FeedForward"](8, zero_init_output=True), x(6, 8))),
    Case("relu2_mlp_c_proj_zero", "idioms_residual.py::NanoMLP", IDIOM, NANO_RELU2_CPROJ,
         lambda ns: (ns["NanoMLP"](8), x(6, 8))),
    Case("preact_zero_last_conv", "idioms_residual.py::PreActBottleneck", IDIOM, PREACT_ZERO_LAST_CONV, _preact),
    Case("fixup_resnet", "idioms_residual.py::FixupResNet", IDIOM, FIXUP,
         lambda ns: (ns["FixupResNet"](), x(1, 3, 3, 3))),
    Case("moe_router_zero", "idioms_misc.py::SparseMoE", IDIOM, MOE_ROUTER,
         lambda ns: (ns["SparseMoE"](), x(10, 8))),
    Case("glow_zero_conv2d", "idioms_misc.py::ZeroConv2d + AffineCoupling", IDIOM, GLOW_ZERO_CONV,
         lambda ns: (ns["AffineCoupling"](4), x(1, 4, 3, 3))),
    Case("sigmoid_gate_zero_weight", "idioms_misc.py::ResidualFusion", IDIOM, SIGMOID_GATE,
         lambda ns: (ns["ResidualFusion"](8, 8), (x(6, 8), x(6, 8)))),
    # --- silent deliberate inits ---
    Case("zero_gamma_residual_bn", "idioms_residual.py::Bottleneck + ResNet(zero_init_residual)", SILENT,
         ZERO_GAMMA_RESIDUAL_BN, _zero_gamma_resnet),
    Case("rezero_scalar_gate", "idioms_residual.py::ReZeroEncoderLayer", SILENT, REZERO,
         lambda ns: (ns["ReZeroEncoderLayer"](8, 2), x(2, 5, 8))),
]
