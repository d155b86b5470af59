"""The README's `--diff` example (tests/test_fixes.py checks that the README shows this diff)."""

import torch.nn as nn
import torch.nn.functional as F
from keras import layers


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, 10)
        nn.init.zeros_(self.fc1.weight)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def block(units):
    return layers.Dense(units, activation="relu", kernel_initializer="zeros")
