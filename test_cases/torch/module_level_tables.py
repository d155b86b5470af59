"""Module-level code around inits: a long table of configurations (timm's ``default_cfgs =
generate_default_cfgs({...})`` in every model file) holds no layer, while a script's model
built over many lines does, and so do the instances of the file's own classes in a table.
Modelled on timm's model files and on notebook-style training scripts."""

import torch
import torch.nn as nn
from timm.models import generate_default_cfgs


def _cfg(url="", **kwargs):
    return {"url": url, "num_classes": 1000, **kwargs}


default_cfgs = generate_default_cfgs({
    "tiny.in1k": _cfg(hf_hub_id="timm/"),
    "small.in1k": _cfg(hf_hub_id="timm/"),
    "base.in1k": _cfg(hf_hub_id="timm/", crop_pct=0.95),
    "large.in1k": _cfg(hf_hub_id="timm/", crop_pct=1.0),
})


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        return self.out(torch.relu(self.fc(x)))


blocks = dict(
    small=Block(8),
    base=Block(16),
    large=Block(32),
    huge=Block(64),
)
nn.init.zeros_(blocks["small"].fc.weight)  # expect: INI001

model = nn.Sequential(
    nn.Linear(16, 32),
    nn.Tanh(),
    nn.Linear(32, 32),
    nn.Tanh(),
    nn.Linear(32, 10),
)
nn.init.zeros_(model[0].weight)  # expect: INI001
