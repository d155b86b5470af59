"""Targets that are meant to be constant: none of these lines may be reported (issue 2)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim, vocab=1000, padding_idx=0):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)
        self.bn3 = nn.BatchNorm2d(dim)
        self.norm = nn.LayerNorm(dim)
        self.post_attention = nn.RMSNorm(dim)
        self.ln_1 = nn.LayerNorm(dim)
        self.embed = nn.Embedding(vocab, dim, padding_idx=padding_idx)
        # scalars and 1-D parameters: ReZero, LayerScale, temperature, logit scale
        self.alpha = nn.Parameter(torch.zeros(1))
        self.gamma = nn.Parameter(1e-5 * torch.ones(dim))
        self.temperature = nn.Parameter(torch.ones(()))
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))
        self.scale = nn.Parameter(torch.ones(dim))
        # buffers are state, not parameters
        self.register_buffer("running_mean", torch.zeros(dim))
        self.register_buffer("mask", torch.ones(dim, dim))
        # biases
        nn.init.zeros_(self.fc1.bias)
        nn.init.constant_(self.fc2.bias, 0.0)
        self.fc1.bias.data.zero_()
        # norm scales and shifts, known from the constructor or the name
        nn.init.ones_(self.norm.weight)
        nn.init.zeros_(self.norm.bias)
        nn.init.zeros_(self.bn3.weight)
        nn.init.constant_(self.post_attention.weight, 1.0)
        nn.init.ones_(self.ln_1.weight)
        # one row of an embedding, and slices of a weight
        self.embed.weight.data[padding_idx].zero_()
        nn.init.zeros_(self.embed.weight[padding_idx])
        with torch.no_grad():
            self.fc1.weight[:, dim:].zero_()
            self.fc2.weight[0].fill_(0.0)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


def init_norms(model):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.weight, 1.0)
            nn.init.constant_(m.bias, 0)


def training_step(model, optimizer, batch):
    optimizer.zero_grad()
    for p in model.parameters():
        if p.grad is not None:
            p.grad.zero_()
            p.grad.data.zero_()
    loss = model(batch).mean()
    loss.backward()
    optimizer.step()


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))


class GemmaRMSNorm(nn.Module):
    """(1 + w)-parametrised: stored as zeros on purpose."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(dim))


class FrozenFilter(nn.Module):
    def __init__(self, channels):
        super().__init__()
        # not trainable: a constant, averaging filter is the point
        self.weight = nn.Parameter(torch.ones(channels, 1, 3, 3) / 9, requires_grad=False)


def init_norms_by_type_name(module):
    """torchtitan-style: the norms selected by class or by type name, γ set to 1."""
    if isinstance(module, (nn.GroupNorm, nn.BatchNorm2d)) or "LayerNorm" in module.__class__.__name__ \
            or "RMSNorm" in module.__class__.__name__:
        if hasattr(module, "weight") and module.weight is not None:
            module.weight.data.fill_(1.0)
        if hasattr(module, "bias") and module.bias is not None:
            module.bias.data.zero_()
