"""Project-local init helpers.

lucidrains/x-transformers (x_transformers/x_transformers.py) defines
`def init_zero_(layer): nn.init.constant_(layer.weight, 0.); if exists(layer.bias): ...` and many
repositories copy it next to their models (found repeatedly through the code index), then call it
on output projections (`init_zero_(self.to_out)`, `init_zero_(self.output_proj)`). kyegomez/zeta
copies it again in zeta/nn/modules/feedforward.py and zeta/structs/transformer.py. OpenFold
(aqlaboratory/openfold openfold/model/primitives.py) has `final_init_(weights)` and
`gating_init_(weights)` that fill with 0.

Contract (README, decision 4): a helper of this file whose body zeroes its argument's weight (or
its argument itself), unconditionally, is *summarised*: each call site is the finding, judged with
the call site's context (target name, guards, a ReLU after the layer, a loop over every layer) and
with the helper's own name as one more intent signal; its body carries no annotation. A helper that
is never called is judged at its body. A helper that loops over its argument's parameters
(`zero_module`) is not summarised: its body is the every-layer finding (see idioms_diffusion.py).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def exists(val):
    return val is not None


def init_zero_(layer):
    nn.init.constant_(layer.weight, 0.0)
    if exists(layer.bias):
        nn.init.constant_(layer.bias, 0.0)


def zero_out(module: nn.Module) -> nn.Module:
    with torch.no_grad():
        module.weight.zero_()
        if module.bias is not None:
            module.bias.zero_()
    return module


def wipe(layer):
    nn.init.zeros_(layer.weight)


def reset_to_zero(layer):
    # Never called in this file: judged at its body; the name says zero.
    layer.weight.data.fill_(0.0)  # expect-strict: INI001


def clear_weights(layer):
    # Never called in this file: judged at its body; nothing says zero is intended.
    nn.init.zeros_(layer.weight)  # expect: INI001


def bias_only_zero(layer):
    nn.init.zeros_(layer.bias)


class DiffusionTransformerHead(nn.Module):
    def __init__(self, n_embd=512, latent_dim=64):
        super().__init__()
        self.output_proj = nn.Linear(n_embd, latent_dim)
        self.to_out = nn.Linear(n_embd, n_embd)
        init_zero_(self.output_proj)  # expect-strict: INI001
        zero_out(self.to_out)  # expect-strict: INI001
        bias_only_zero(self.output_proj)


class HiddenThroughHelper(nn.Module):
    """The helper's name says zero, but the layer feeds a ReLU with a zeroed bias: dead."""

    def __init__(self, d):
        super().__init__()
        self.lin1 = nn.Linear(d, d)
        self.lin2 = nn.Linear(d, d)
        init_zero_(self.lin1)  # expect: INI004

    def forward(self, x):
        return self.lin2(F.relu(self.lin1(x)))


class PlainProjection(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.mixer = nn.Linear(d, d)
        wipe(self.mixer)  # expect: INI001


def wipe_every_linear(model: nn.Module):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            wipe(m)  # expect: INI003
