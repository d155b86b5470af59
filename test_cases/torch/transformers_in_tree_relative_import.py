"""The in-tree spelling of transformers 5's init wrapper: `from ... import initialization as init`.

Every modeling file under huggingface/transformers src/transformers/models/<name>/ imports the
wrapper this way (three dots: models/<name>/ -> transformers/), and src/transformers/modeling_utils.py
uses `from . import initialization as init`. A linter run on an unpacked transformers wheel only
sees these relative imports, so it has to map a relative import of a module named
`initialization` to `transformers.initialization` (itself a wrapper of torch.nn.init). Beware of
other packages with a module of that name: segmentation_models_pytorch's
`from . import initialization as init` exposes `initialize_decoder` / `initialize_head`, which
are not torch.nn.init functions and are never findings.

Modelled on huggingface/transformers src/transformers/models/*/modeling_*.py.
"""

import torch
from torch import nn

from ... import initialization as init
from ...modeling_utils import PreTrainedModel


class MiniMoeSparseBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.gate = nn.Linear(config.hidden_size, config.num_experts, bias=False)
        self.experts = nn.ModuleList([nn.Linear(config.hidden_size, config.hidden_size) for _ in range(config.num_experts)])


class MiniLayerScale(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.lambda1 = nn.Parameter(config.layerscale_value * torch.ones(config.hidden_size))


class MiniPreTrainedModel(PreTrainedModel):
    @torch.no_grad()
    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, MiniMoeSparseBlock):
            init.zeros_(module.gate.weight)  # expect-strict: INI001
        elif isinstance(module, MiniLayerScale):
            init.constant_(module.lambda1, self.config.layerscale_value)
        elif isinstance(module, nn.Embedding):
            init.normal_(module.weight, std=self.config.initializer_range)
            if module.padding_idx is not None:
                init.zeros_(module.weight[module.padding_idx])


class MiniBuggyPreTrainedModel(PreTrainedModel):
    @torch.no_grad()
    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Conv1d)):
            init.constant_(module.weight, 0.02)  # expect: INI003
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)
