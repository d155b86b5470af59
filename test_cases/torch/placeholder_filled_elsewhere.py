"""A zero Parameter that another class fills: transformers 5's routers write
``self.weight = nn.Parameter(torch.zeros(...))`` and the model's ``_init_weights`` (in a class
with no zero init of its own) draws it with ``init.normal_``. The constant is a placeholder,
never trained from: nothing to report, however the file is gated."""

import torch
from torch import nn

from ... import initialization as init
from ...modeling_utils import PreTrainedModel


class ToyTopkRouter(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(config.num_experts, config.hidden_size, dtype=torch.float32))

    def forward(self, hidden_states):
        return nn.functional.linear(hidden_states, self.weight).softmax(dim=-1)


class ToyMoE(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.gate = ToyTopkRouter(config)


class ToyPreTrainedModel(PreTrainedModel):
    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, ToyTopkRouter):
            init.normal_(module.weight, mean=0.0, std=self.config.initializer_range)
