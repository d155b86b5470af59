"""Definitions written compactly, as torch's own ``nn/modules/rnn.py`` and equinox's
``nn/_normalisation.py`` write some: a body on the line of a decorated one-line ``def``
(``@overload``), a header of three or more lines whose body sits on its closing line, a class
whose body shares its header's line. The reducer keeps or drops each of them whole."""

from typing import overload

import torch
import torch.nn as nn


class Dead(nn.Module):
    @overload
    def __init__(self, d: int) -> None: ...
    @overload
    def __init__(self, d: int, bias: bool) -> None: ...
    def __init__(self, d, bias=True):
        super().__init__()
        self.fc1 = nn.Linear(d, d, bias=bias)
        self.fc2 = nn.Linear(d, d)
        nn.init.zeros_(self.fc1.weight)  # expect: INI004
        if bias:
            nn.init.zeros_(self.fc1.bias)

    def forward(self, x): return self.fc2(torch.relu(self.fc1(x)))


class Head(nn.Module):
    def __init__(
        self,
        d: int,
        classes: int,
    ) -> None: super().__init__(); self.fc = nn.Linear(d, classes); nn.init.zeros_(self.fc.weight)  # expect-strict: INI001

    def forward(
        self,
        x: torch.Tensor,
    ) -> torch.Tensor: return self.fc(x)


class Marker(nn.Module): pass


def make(
    d: int,
    classes: int,
    zero: bool = False,
) -> nn.Module: return nn.Sequential(Dead(d), Head(d, classes))
