"""Zero or constant inits that reach every layer (INI003): the statement goes, the loop or the
callback stays (``pass`` where it was alone), and the bias inits beside it stay."""

import torch
import torch.nn as nn
from torch.nn import init


def _init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.bias)


def reset_all_parameters(model: nn.Module):
    for p in model.parameters():
        pass


def init_by_name(model: nn.Module):
    for name, param in model.named_parameters():
        if "weight" in name:
            pass
        elif "bias" in name:
            init.zeros_(param)


def reset_named_modules(model: nn.Module):
    for _, m in model.named_modules():
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            with torch.no_grad():
                pass


class Encoder(nn.Module):
    def __init__(self, vocab=100, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.proj1 = nn.Linear(dim, dim)
        self.proj2 = nn.Linear(dim, dim)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=0.02)


model = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
model.apply(_init_weights)
