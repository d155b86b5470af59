"""A transformers-5-style modeling file: `_init_weights(self, module)` written with the
`transformers.initialization` wrapper (imported as `init`).

transformers 5 (huggingface/transformers src/transformers/initialization.py) re-exports guarded
copies of torch.nn.init's functions (`uniform_`, `normal_`, `constant_`, `ones_`, `zeros_`, `eye_`,
`dirac_`, `xavier_uniform_`, `xavier_normal_`, `kaiming_uniform_`, `kaiming_normal_`,
`trunc_normal_`, `orthogonal_`, `sparse_`) plus `copy_(tensor, other)`. Modeling files import it
as `from ... import initialization as init` (in-tree) or `from transformers import initialization
as init` (remote code). `PreTrainedModel.post_init()` applies `_init_weights` to every submodule,
so `_init_weights(self, module)` is a per-module callback even though no `.apply` call appears.

Modelled on: src/transformers/modeling_utils.py (`PreTrainedModel._init_weights`: Linear/Conv
normal, Embedding normal + padding row zero, norms ones/zeros, running stats), models/gpt2
(`c_proj.weight` scaled normal through `named_parameters`), models/qwen3_5 and models/gemma
(RMSNorm stored as zeros because the forward uses `1 + weight`), models/align (`temperature`),
models/bert (`token_type_ids` buffer), models/vit (`mask_token` zero).

Expected: everything silent except the idioms (a classification head's `out_proj`, adaLN
modulation, a router) and one real every-layer bug (every Conv2d zeroed).
"""

import math

import torch
from torch import nn
from transformers import initialization as init
from transformers.modeling_utils import PreTrainedModel


class ToyRMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        out = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return out * (1.0 + self.weight.float())


class ToyEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, config.hidden_size))
        self.eoi_embedding = nn.Parameter(torch.zeros(config.hidden_size))
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.register_buffer("position_ids", torch.arange(config.max_position_embeddings).expand((1, -1)), persistent=False)
        self.register_buffer("token_type_ids", torch.zeros(1, config.max_position_embeddings, dtype=torch.long), persistent=False)


class ToyClassificationHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.out_proj = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, features):
        x = torch.tanh(self.dense(self.dropout(features[:, 0, :])))
        return self.out_proj(self.dropout(x))


class ToyAdaLNBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.norm = nn.LayerNorm(config.hidden_size, elementwise_affine=False)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(config.hidden_size, 3 * config.hidden_size))


class ToyTopKRouter(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.top_k = config.num_experts_per_tok
        self.weight = nn.Parameter(torch.empty(config.num_experts, config.hidden_size))

    def forward(self, hidden_states):
        logits = nn.functional.linear(hidden_states, self.weight)
        return torch.topk(logits.softmax(-1), self.top_k, dim=-1)


class ToyCLIPLikeModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.logit_scale = nn.Parameter(torch.tensor(config.logit_scale_init_value))
        self.temperature = nn.Parameter(torch.tensor(1.0))


class ToyPreTrainedModel(PreTrainedModel):
    base_model_prefix = "toy"

    @torch.no_grad()
    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, (nn.Linear, nn.Conv1d)):
            init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.Conv2d):
            # "Let the residual stream start clean" - but this zeroes every Conv2d of the model.
            init.zeros_(module.weight)  # expect: INI003
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            init.normal_(module.weight, mean=0.0, std=std)
            # The padding row is a slice: not a finding.
            if module.padding_idx is not None and not getattr(module.weight, "_is_hf_initialized", False):
                init.zeros_(module.weight[module.padding_idx])
        elif isinstance(module, (nn.LayerNorm, nn.GroupNorm, nn.BatchNorm2d)):
            init.ones_(module.weight)
            init.zeros_(module.bias)
            if getattr(module, "running_mean", None) is not None:
                init.zeros_(module.running_mean)
                init.ones_(module.running_var)
                init.zeros_(module.num_batches_tracked)
        # Stored as zeros because the forward multiplies by (1 + weight).
        elif isinstance(module, ToyRMSNorm):
            init.zeros_(module.weight)
        elif "RMSNorm" in module.__class__.__name__:
            init.zeros_(module.weight)

        if isinstance(module, ToyEmbeddings):
            init.copy_(module.position_ids, torch.arange(module.position_ids.shape[-1]).expand((1, -1)))
            init.zeros_(module.token_type_ids)
            init.zeros_(module.mask_token)
            init.zeros_(module.eoi_embedding)
        elif isinstance(module, ToyClassificationHead):
            init.zeros_(module.out_proj.weight)  # expect-strict: INI001
            init.zeros_(module.out_proj.bias)
        elif isinstance(module, ToyAdaLNBlock):
            init.zeros_(module.adaLN_modulation[-1].weight)  # expect-strict: INI001
            init.zeros_(module.adaLN_modulation[-1].bias)
        elif isinstance(module, ToyTopKRouter):
            # Uniform routing at step 0.
            init.zeros_(module.weight)  # expect-strict: INI001
        elif isinstance(module, ToyCLIPLikeModel):
            init.constant_(module.logit_scale, math.log(1 / 0.07))
            init.constant_(module.temperature, 1.0)

        # GPT-2 scheme: scaled init of the residual projections.
        if isinstance(module, ToyGPT2Block):
            for name, p in module.named_parameters():
                if name == "c_proj.weight":
                    init.normal_(p, mean=0.0, std=std / math.sqrt(2 * self.config.n_layer))


class ToyGPT2Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.hidden_size)
        self.c_fc = nn.Linear(config.hidden_size, 4 * config.hidden_size)
        self.c_proj = nn.Linear(4 * config.hidden_size, config.hidden_size)


class LegacyToyPreTrainedModel(PreTrainedModel):
    """transformers 4 style: `.data` in-place methods instead of the init wrapper."""

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)
        elif isinstance(module, ToyRouterGate):
            module.gate.weight.data.zero_()  # expect-strict: INI001


class ToyRouterGate(nn.Module):
    def __init__(self, hidden, num_experts):
        super().__init__()
        self.gate = nn.Linear(hidden, num_experts, bias=False)


class BuggyToyPreTrainedModel(PreTrainedModel):
    """Remote-code style model whose init zeroes every Linear."""

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            init.zeros_(module.weight)  # expect: INI003
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)
