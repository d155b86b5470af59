"""Zero and constant weights whose intent is not evident (INI001, INI002): their fixes are
display-only, shown and never applied; ``display_only.shown.py`` is each of them made by hand."""

import torch.nn as nn
from keras import layers


class Mixer(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.mixer = nn.Linear(d, d)
        self.smooth = nn.Conv2d(3, 3, 3)


def projection(units):
    return layers.Dense(units)
