"""zeta's ``init_zero_(layer)`` zeroes the weight and the bias: its fix keeps the bias zero and
gives the weight back its default init, in the spelling of ``torch.nn.init`` the file imports."""

import torch.nn as nn
import torch.nn.functional as F
from zeta.utils import init_zero_


class Gated(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.lin1 = nn.Linear(d, d)
        self.lin2 = nn.Linear(d, d)
        self.lin3 = nn.Linear(d, d)
        self.lin4 = nn.Linear(d, 2)
        init_zero_(self.lin1)  # expect: INI004
        self.ready = True; init_zero_(self.lin2)
        if self.ready: init_zero_(self.lin3)

    def forward(self, x):
        x = F.relu(self.lin1(x))
        x = F.relu(self.lin2(x))
        return self.lin4(F.relu(self.lin3(x)))
