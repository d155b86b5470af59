"""Layers that a method other than the constructor binds: DeepSpeed's ``LoRAOptimizedLinear``
(``deepspeed/linear/optimized_linear.py``) makes its LoRA pair in ``init_lora()`` and zeroes B
there; its forward adds B's output to the base output. The judge reads what ``self.lora_b``
holds from that method, wherever the gates cut."""

import math

import torch.nn as nn
import torch.nn.functional as F


class DelayedLoraLinear(nn.Module):
    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.rank = rank
        self.scaling = alpha / rank

    def init_lora(self):
        self.lora_a = nn.Linear(self.base.in_features, self.rank, bias=False)
        self.lora_b = nn.Linear(self.rank, self.base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_a.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_b.weight)  # expect-strict: INI001

    def forward(self, x):
        base_output = F.linear(x, self.base.weight)
        return base_output + self.scaling * self.lora_b(self.lora_a(x))
