"""A constant that another method of the same class overwrites: peft's ``PrefixEncoder``
(``tuners/prefix_tuning/model.py``) zeroes its prefix embedding under ``init_weights ==
"zero"`` and ``load_prompt_embeddings`` copies saved values over it; a module's
``reset_parameters`` redraws what the constructor zeroed. Whatever the file's gates skip, the
other method is read (one of a class it derives from, too): neither method holds a zero init of
its own."""

import torch
import torch.nn as nn


class PrefixTable(nn.Module):
    def __init__(self, tokens, dim, zero=False):
        super().__init__()
        self.embedding = nn.Embedding(tokens, dim)
        self.proj = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, dim)
        if zero:
            nn.init.zeros_(self.proj.weight)

    def forward(self, prefix):
        return self.head(self.proj(self.embedding(prefix)))

    def load_projection(self, weight: torch.Tensor) -> None:
        with torch.no_grad():
            self.proj.weight.copy_(weight)


class Redrawn(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, 2)
        nn.init.zeros_(self.fc.weight)

    def forward(self, x):
        return self.out(self.fc(x))

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.fc.weight)


class NotRedrawn(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, 2)
        nn.init.zeros_(self.fc.weight)  # expect: INI001

    def forward(self, x):
        return self.out(self.fc(x))

    def reset_out(self):
        nn.init.kaiming_uniform_(self.out.weight)


class RedrawMixin:
    """peft's BOFT: ``Conv2d(nn.Module, BOFTLayer)`` zeroes its skew matrix and the layer
    class it derives from redraws it in ``reset_boft_parameters``."""

    def reset_projection(self):
        nn.init.kaiming_uniform_(self.proj.weight)


class RedrawnByItsBase(nn.Module, RedrawMixin):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, 2)
        nn.init.zeros_(self.proj.weight)

    def forward(self, x):
        return self.out(self.proj(x))


class RedrawBase:
    def redraw(self):
        nn.init.xavier_uniform_(self.fc.weight)


class RedrawLayer(RedrawBase):
    """Between the class that zeroes and the one that redraws."""


class RedrawnTwoLevelsUp(nn.Module, RedrawLayer):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, 2)
        nn.init.zeros_(self.fc.weight)

    def forward(self, x):
        return self.out(self.fc(x))
