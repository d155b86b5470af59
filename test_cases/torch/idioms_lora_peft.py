"""LoRA and its relatives: one factor of the adapter starts at zero so the adapted model equals the
base model at step 0 (B·A = 0); the other factor is random, so the zero factor trains.

Modelled on:
* huggingface/peft src/peft/tuners/lora/layer.py (`reset_lora_parameters`, `lora_B[...]` in a
  ModuleDict, `lora_embedding_A[...]` in a ParameterDict, the "eva" branch);
* huggingface/peft src/peft/tuners/loha/layer.py (`hada_w2_b` zero) and lokr/layer.py
  (`lokr_w1` / `lokr_w1_a` / `lokr_w2_b` zero), oft/layer.py (`oft_R[...]` zero = identity rotation);
* huggingface/peft src/peft/tuners/prefix_tuning/model.py (`transform[-1]` zero under
  `init_weights == "zero"`);
* huggingface/diffusers src/diffusers/models/lora.py (`LoRALinearLayer`: `down` random, `up` zero);
* microsoft/LoRA loralib-style layers (`lora_A`/`lora_B` as nn.Parameter, reset_parameters);
* kohya-style `lora_down`/`lora_up` modules common in Stable Diffusion trainers.

Note on subscripts: `self.lora_B[adapter_name]` is a ModuleDict/ParameterDict lookup (a whole
layer or parameter), not a slice of a tensor; `weight[idx]` and `weight[:, 3:]` are slices.

Expected: every zero factor is an idiom (`expect-strict`); biases and random factors are silent.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LowRankAdapterLayer(nn.Module):
    """A PEFT-like LoRA wrapper around a frozen Linear, with several named adapters."""

    def __init__(self, base_layer: nn.Linear):
        super().__init__()
        self.base_layer = base_layer
        self.in_features = base_layer.in_features
        self.out_features = base_layer.out_features
        self.r = {}
        self.scaling = {}
        self.use_bias = {}
        self.lora_dropout = nn.ModuleDict({})
        self.lora_A = nn.ModuleDict({})
        self.lora_B = nn.ModuleDict({})
        self.lora_embedding_A = nn.ParameterDict({})
        self.lora_embedding_B = nn.ParameterDict({})

    def add_adapter(self, name, r, alpha, init_mode=True, use_bias=False):
        self.r[name] = r
        self.scaling[name] = alpha / r
        self.use_bias[name] = use_bias
        self.lora_dropout[name] = nn.Dropout(p=0.05)
        self.lora_A[name] = nn.Linear(self.in_features, r, bias=False)
        self.lora_B[name] = nn.Linear(r, self.out_features, bias=use_bias)
        if init_mode == "eva":
            # A is filled later from activation statistics; B must start at zero.
            nn.init.zeros_(self.lora_B[name].weight)  # expect-strict: INI001
        elif init_mode:
            self.reset_adapter(name, init_mode)

    def reset_adapter(self, name, init_mode):
        if init_mode is False:
            return
        if name in self.lora_A:
            if init_mode is True:
                nn.init.kaiming_uniform_(self.lora_A[name].weight, a=math.sqrt(5))
            elif str(init_mode).lower() == "gaussian":
                nn.init.normal_(self.lora_A[name].weight, std=1.0 / self.r[name])
            else:
                raise ValueError(f"unknown init {init_mode!r}")
            nn.init.zeros_(self.lora_B[name].weight)  # expect-strict: INI001
            if self.use_bias[name]:
                nn.init.zeros_(self.lora_B[name].bias)
        if name in self.lora_embedding_A:
            # Embedding variant: A is zero and B is random.
            nn.init.zeros_(self.lora_embedding_A[name])  # expect-strict: INI001
            nn.init.normal_(self.lora_embedding_B[name])

    def forward(self, x):
        out = self.base_layer(x)
        for name in self.lora_A:
            h = self.lora_A[name](self.lora_dropout[name](x))
            out = out + self.lora_B[name](h) * self.scaling[name]
        return out


class HadamardAdapter(nn.Module):
    """LoHa: ΔW = (w1_a @ w1_b) * (w2_a @ w2_b); one factor at zero makes ΔW = 0."""

    def __init__(self):
        super().__init__()
        self.hada_w1_a = nn.ParameterDict({})
        self.hada_w1_b = nn.ParameterDict({})
        self.hada_w2_a = nn.ParameterDict({})
        self.hada_w2_b = nn.ParameterDict({})

    def create(self, name, shape, r):
        self.hada_w1_a[name] = nn.Parameter(torch.empty(shape[0], r))
        self.hada_w1_b[name] = nn.Parameter(torch.empty(r, shape[1]))
        self.hada_w2_a[name] = nn.Parameter(torch.empty(shape[0], r))
        self.hada_w2_b[name] = nn.Parameter(torch.empty(r, shape[1]))
        for factor in (self.hada_w1_a, self.hada_w1_b, self.hada_w2_a):
            nn.init.kaiming_uniform_(factor[name], a=math.sqrt(5))
        nn.init.zeros_(self.hada_w2_b[name])  # expect-strict: INI001


class KroneckerAdapter(nn.Module):
    """LoKr: ΔW = w1 ⊗ (w2_a @ w2_b); zeroing w1 (or one factor of it) makes ΔW = 0."""

    def __init__(self):
        super().__init__()
        self.lokr_w1 = nn.ParameterDict({})
        self.lokr_w1_a = nn.ParameterDict({})
        self.lokr_w1_b = nn.ParameterDict({})
        self.lokr_w2_a = nn.ParameterDict({})
        self.lokr_w2_b = nn.ParameterDict({})

    def reset(self, name, lycoris_style=False):
        if not lycoris_style:
            if name in self.lokr_w1:
                nn.init.zeros_(self.lokr_w1[name])  # expect-strict: INI001
            else:
                nn.init.zeros_(self.lokr_w1_a[name])  # expect-strict: INI001
                nn.init.kaiming_uniform_(self.lokr_w1_b[name], a=math.sqrt(5))
            nn.init.kaiming_uniform_(self.lokr_w2_a[name], a=math.sqrt(5))
            nn.init.kaiming_uniform_(self.lokr_w2_b[name], a=math.sqrt(5))
        else:
            nn.init.kaiming_uniform_(self.lokr_w1[name], a=math.sqrt(5))
            nn.init.kaiming_uniform_(self.lokr_w2_a[name], a=math.sqrt(5))
            nn.init.zeros_(self.lokr_w2_b[name])  # expect-strict: INI001


class OrthogonalFinetuneAdapter(nn.Module):
    """OFT: R = Cayley(S); S = 0 gives R = I, the identity rotation."""

    def __init__(self, blocks: int, block_size: int):
        super().__init__()
        n = block_size * (block_size - 1) // 2
        self.oft_R = nn.ModuleDict({"default": nn.Linear(n, blocks, bias=False)})

    def reset(self, name="default"):
        nn.init.zeros_(self.oft_R[name].weight)  # expect-strict: INI001


class LoRALinearLayer(nn.Module):
    """diffusers-style: `down` random, `up` zero. The class name says LoRA."""

    def __init__(self, in_features, out_features, rank=4, network_alpha=None):
        super().__init__()
        self.down = nn.Linear(in_features, rank, bias=False)
        self.up = nn.Linear(rank, out_features, bias=False)
        self.network_alpha = network_alpha
        self.rank = rank
        nn.init.normal_(self.down.weight, std=1 / rank)
        nn.init.zeros_(self.up.weight)  # expect-strict: INI001

    def forward(self, hidden_states):
        down = self.down(hidden_states)
        up = self.up(down)
        if self.network_alpha is not None:
            up = up * (self.network_alpha / self.rank)
        return up


class MergedLoRALinear(nn.Linear):
    """loralib-style: the factors are bare Parameters on a Linear subclass."""

    def __init__(self, in_features, out_features, r=8, lora_alpha=16):
        super().__init__(in_features, out_features)
        # Both values are overwritten by the inits in reset_lora() below: the later init of the
        # same target is the one judged, so these creation lines are not findings.
        self.lora_A = nn.Parameter(torch.zeros(r, in_features))
        self.lora_B = nn.Parameter(torch.zeros(out_features, r))
        self.scaling = lora_alpha / r
        self.weight.requires_grad = False
        self.reset_lora()

    def reset_lora(self):
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B)  # expect-strict: INI001

    def forward(self, x):
        delta = (x @ self.lora_A.transpose(0, 1)) @ self.lora_B.transpose(0, 1)
        return F.linear(x, self.weight, self.bias) + delta * self.scaling


class LoRAModule(nn.Module):
    """kohya-style module with lora_down / lora_up, for Linear or 1x1 Conv targets."""

    def __init__(self, org_module: nn.Module, lora_dim=4, alpha=1.0):
        super().__init__()
        if isinstance(org_module, nn.Conv2d):
            self.lora_down = nn.Conv2d(org_module.in_channels, lora_dim, 1, bias=False)
            self.lora_up = nn.Conv2d(lora_dim, org_module.out_channels, 1, bias=False)
        else:
            self.lora_down = nn.Linear(org_module.in_features, lora_dim, bias=False)
            self.lora_up = nn.Linear(lora_dim, org_module.out_features, bias=False)
        torch.nn.init.kaiming_uniform_(self.lora_down.weight, a=math.sqrt(5))
        torch.nn.init.zeros_(self.lora_up.weight)  # expect-strict: INI001
        self.register_buffer("alpha", torch.tensor(alpha))
        self.multiplier = 1.0
        self.scale = alpha / lora_dim


class PrefixEncoder(nn.Module):
    """Prefix tuning with an optional reparametrisation MLP."""

    def __init__(self, num_tokens, token_dim, hidden, num_layers, project=True, init_weights="zero"):
        super().__init__()
        self.project = project
        if project:
            self.embedding = nn.Embedding(num_tokens, token_dim)
            self.transform = nn.Sequential(
                nn.Linear(token_dim, hidden),
                nn.Tanh(),
                nn.Linear(hidden, num_layers * 2 * token_dim),
            )
            if init_weights == "zero":
                nn.init.zeros_(self.transform[-1].weight.data)  # expect-strict: INI001
                nn.init.zeros_(self.transform[-1].bias.data)
        else:
            self.embedding = nn.Embedding(num_tokens, num_layers * 2 * token_dim)
            if init_weights == "zero":
                nn.init.zeros_(self.embedding.weight.data)  # expect-strict: INI001

    def forward(self, prefix):
        emb = self.embedding(prefix)
        return self.transform(emb) if self.project else emb
