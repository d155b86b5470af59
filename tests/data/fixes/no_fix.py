"""Findings with no fix: there is no default init to fall back to, or the edit would reach
beyond the finding. ``--fix --unsafe-fixes`` leaves this file as it is."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from keras import layers


def wipe(layer):
    nn.init.zeros_(layer.weight)


class OwnParameters(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.w1 = nn.Parameter(torch.zeros(d, d))  # a Parameter factory: no default init
        self.lin = nn.Linear(d, d)
        self.out = nn.Linear(d, 2)
        wipe(self.lin)  # the file's own helper may do more than zero this layer

    def forward(self, x):
        return self.out(F.relu(self.lin(F.relu(x @ self.w1))))


class CustomLinear(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d, d))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.zeros_(self.weight)  # this module's own weight: empty without this line


def reset_every(model):
    model.apply(lambda m: nn.init.constant_(m.weight, 0.05) if isinstance(m, nn.Linear) else None)


def keyword_from_kwargs(hidden, **kw):
    kw = {"kernel_initializer": "zeros"}
    return layers.Dense(hidden, activation="relu", **kw)


def conditional_keyword(hidden, zero_head):
    return layers.Dense(hidden, activation="relu", kernel_initializer="zeros" if zero_head else "he_normal")
