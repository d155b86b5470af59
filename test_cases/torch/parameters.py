"""Weights created as constant nn.Parameters (issue 2): at least 2-D, or named like a weight."""
import torch
import torch.nn as nn
from torch.nn import Parameter


class Projection(nn.Module):
    def __init__(self, d_in, d_out, shape):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(d_out, d_in))  # expect: INI001
        self.kernel = Parameter(torch.ones((d_out, d_in, 3)))  # expect: INI002
        self.w_proj = nn.Parameter(torch.full((d_out, d_in), 0.5))  # expect: INI002
        self.W = torch.nn.Parameter(torch.zeros(shape))  # expect: INI001
        self.mixing = nn.Parameter(torch.zeros(d_out, d_in))  # expect: INI001
        # 1-D: a bias, a gate, a scale
        self.bias = nn.Parameter(torch.zeros(d_out))
        self.offset = nn.Parameter(torch.zeros(d_out))
        self.query = nn.Parameter(torch.zeros(shape))  # unknown shape and not named like a weight
        # random
        self.proj = nn.Parameter(torch.randn(d_out, d_in) * 0.02)
        self.register_buffer("table", torch.zeros(d_out, d_in))


def seed_example():
    """From the PyTorch constant/identity reading in the seeds."""
    w = torch.empty(256, 128)
    nn.init.zeros_(w)  # expect: INI001
    b = torch.empty(10)
    nn.init.constant_(b, val=0.1)
    return w, b


class Connector(nn.Module):
    """A bare weight applied to the input and added to the forward's data: a zero branch
    closing on the text stream (``text + x @ W``), not ``x @ W + b`` with ``text`` as a bias."""

    def __init__(self, d_vision, d_text):
        super().__init__()
        self.projection = nn.Parameter(torch.zeros(d_vision, d_text))  # expect-strict: INI001
        self.hidden = nn.Parameter(torch.zeros(d_text, d_text))  # expect: INI004
        self.bias = nn.Parameter(torch.zeros(d_text))

    def forward(self, vision, text):
        text = text + torch.matmul(vision, self.projection)
        return torch.relu(text @ self.hidden + self.bias)


class MultiModalProjector(nn.Module):
    """Gemma 3's projector: a norm of its own, then a bare zero weight whose product the
    forward returns: the module's last layer (it trains: what it feeds is random)."""

    def __init__(self, d_vision, d_text):
        super().__init__()
        self.norm = nn.LayerNorm(d_vision)
        self.projection = nn.Parameter(torch.zeros(d_vision, d_text))  # expect-strict: INI001

    def forward(self, vision):
        projected = torch.matmul(self.norm(vision), self.projection)
        return projected.type_as(vision)


class BareDense(nn.Module):
    """A module that is the layer itself: its returned product is not 'a last layer'."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.kernel = nn.Parameter(torch.zeros(d_in, d_out))  # expect: INI001

    def forward(self, x):
        return x @ self.kernel


class KernelBank(nn.Module):
    """A ParameterDict entry made zero where it is made (peft's BOFT ``boft_R[adapter]``), in a
    class with no other init: the gates keep it, as the whole-file analysis reads it."""

    def __init__(self):
        super().__init__()
        self.kernels = nn.ParameterDict({})

    def add(self, name, n):
        self.kernels[name] = nn.Parameter(torch.zeros(n, n))  # expect: INI001
