"""Inits written away from the layer they zero, judged by where that layer's output goes:
transformers-style ``_init_weights`` branches selected by ``isinstance(module, Block)``, an
attribute chain through this file's classes, a local alias of a container element."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers.modeling_utils import PreTrainedModel


class ShortConvBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.conv1d = nn.Conv1d(dim, dim, 3, padding=1, groups=dim)

    def forward(self, x):
        return x + self.conv1d(self.norm(x).transpose(1, 2)).transpose(1, 2)


class DeadMLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Connector(nn.Module):
    def __init__(self, vision_dim, text_dim):
        super().__init__()
        self.projection = nn.Parameter(torch.empty(vision_dim, text_dim))

    def forward(self, vision, text):
        return text + torch.matmul(vision, self.projection)


class Codebook(nn.Module):
    def __init__(self, size, dim):
        super().__init__()
        self.embed = nn.Buffer(torch.randn(size, dim))  # state (an EMA codebook), never trained

    def forward(self, ids):
        return F.embedding(ids, self.embed)


class ToyPreTrainedModel(PreTrainedModel):
    def _init_weights(self, module):
        if isinstance(module, ShortConvBlock):
            nn.init.zeros_(module.conv1d.weight)  # expect-strict: INI001
        elif isinstance(module, DeadMLP):
            nn.init.zeros_(module.fc1.weight)  # expect: INI004
            nn.init.zeros_(module.fc1.bias)
        elif isinstance(module, Connector):
            nn.init.zeros_(module.projection)  # a connector added to the text stream: not even a weight by name
        elif isinstance(module, Codebook):
            nn.init.zeros_(module.embed)
        if hasattr(module, "norm") and hasattr(module, "conv1d") and module.conv1d is not None:
            nn.init.zeros_(module.conv1d.weight)  # expect-strict: INI001


class Decoder(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.block = ShortConvBlock(dim)
        self.to_scale_shift = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))
        linear = self.to_scale_shift[-1]
        nn.init.zeros_(linear.weight)  # expect-strict: INI001
        nn.init.zeros_(self.block.conv1d.weight)  # expect-strict: INI001

    def forward(self, x, t):
        scale, shift = self.to_scale_shift(t).chunk(2, dim=-1)
        return self.block(x) * (1 + scale) + shift
