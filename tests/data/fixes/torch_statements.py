"""Statement forms of a zeroed hidden layer (INI004), each deleted by its fix."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Statements(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, d)
        self.fc3 = nn.Linear(d, d)
        self.fc4 = nn.Linear(d, d)
        self.fc5 = nn.Linear(d, d)
        self.head = nn.Linear(d, 2)
        # a comment line above the init stays
        nn.init.zeros_(self.fc1.weight)  # this trailing comment goes with its line
        with torch.no_grad():
            self.fc2.weight.data.zero_()
        scale = 1.0; nn.init.constant_(self.fc3.weight, 0.0)
        nn.init.zeros_(self.fc4.weight); self.scale = scale
        self.fc5.weight.data = torch.zeros_like(self.fc5.weight)
        # the end of __init__

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        x = F.relu(self.fc4(x))
        x = F.relu(self.fc5(x))
        return self.head(x) * self.scale


class OneLineSuite(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 2))
        with torch.no_grad(): self.mlp[0].weight.zero_()


class LastInBlock(nn.Module):
    def __init__(self, d=16, zero=True):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 2))
        if zero:
            # zero the first layer
            nn.init.zeros_(self.mlp[0].weight)
            # nothing after it


EXAMPLE = torch.randn(4, 16)
MODELS = [Statements, OneLineSuite, LastInBlock]
