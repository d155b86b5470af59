"""Initialisation helpers for the small models of a training package, with doctest examples.

test_cases: a utility module in the style of many ML packages whose docstrings carry ``>>>``
examples (written here, not copied). The module's own code is clean; the examples are read as
one program (``docstring_examples``) together with the module's top-level imports, as doctest
runs them in the module's globals. Expected findings are the ``# expect:`` comments inside the
examples; they are comments of the extracted program, not of this file.

>>> layer = nn.Linear(16, 16)
>>> init_linear_(layer).bias.abs().sum().item()
0.0
"""

import torch
import torch.nn as nn


def init_linear_(layer: nn.Linear, gain: float = 1.0) -> nn.Linear:
    """Xavier-uniform weight and zero bias, in place; returns the layer.

    >>> mlp = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
    >>> for sub in mlp:
    ...     if isinstance(sub, nn.Linear):
    ...         init_linear_(sub)  # doctest: +ELLIPSIS
    Linear(...)
    Linear(...)
    """
    nn.init.xavier_uniform_(layer.weight, gain=gain)
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer


class LowRankAdapter(nn.Module):
    """A LoRA-style adapter: ``x -> lora_B(lora_A(x))``, added to a frozen layer's output.

    ``lora_B`` starts at zero so that the adapted model starts as the frozen one:

    >>> adapter = LowRankAdapter(64, rank=4)
    >>> nn.init.zeros_(adapter.lora_B.weight)  # expect-strict: INI001
    Parameter containing:
    tensor(...)
    """

    def __init__(self, features: int, rank: int = 8):
        super().__init__()
        self.lora_A = nn.Linear(features, rank, bias=False)
        self.lora_B = nn.Linear(rank, features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=5**0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lora_B(self.lora_A(x))


def reset_(model: nn.Module) -> None:
    """Re-initialise every layer that knows how (``reset_parameters``).

    Do not "reset" a model to a constant instead; this is the mistake the helper replaces:

    >>> net = nn.Sequential(nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, 2))
    >>> for m in net:
    ...     if isinstance(m, nn.Linear):
    ...         nn.init.constant_(m.weight, 0.5)  # expect: INI003

    Examples written for Python 2 are left out, and the others are still read:

    >>> print net
    """
    for module in model.modules():
        if module is not model and hasattr(module, "reset_parameters"):
            module.reset_parameters()
