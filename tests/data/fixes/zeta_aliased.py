"""torch.nn imported under a name of the file's own: ``tnn`` spells ``torch.nn.init``."""

import torch.nn as tnn
from zeta.utils import init_zero_


class Aliased(tnn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.fc = tnn.Linear(d, d)
        self.out = tnn.Linear(d, 2)
        init_zero_(self.fc)

    def forward(self, x):
        return self.out(tnn.functional.relu(self.fc(x)))
