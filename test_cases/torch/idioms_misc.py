"""Other deliberate zero inits: deformable-attention offsets, routers and gates, Glow's ZeroConv2d,
AlphaFold/OpenFold-style `final`/`gating` initialisers; plus GPT-2's scaled (random) init.

Modelled on:
* fundamentalvision/Deformable-DETR models/ops/modules/ms_deform_attn.py and its many copies
  (RT-DETR, DINO, mmcv): `constant_(self.sampling_offsets.weight.data, 0.)` with a radial grid
  written into the bias, `constant_(self.attention_weights.weight.data, 0.)` (uniform attention
  over the sampling points after softmax), `from torch.nn.init import xavier_uniform_, constant_`
  or `import torch.nn.init as init`;
* mixture-of-experts code: `nn.init.zeros_(self.router.weight)` / `self.gate` (uniform routing at
  step 0; the router feeds a softmax/top-k, never a ReLU), sigmoid gates with a constant bias;
* rosinality/glow-pytorch model.py (`class ZeroConv2d`: conv weight and bias zeroed, a per-channel
  `scale = nn.Parameter(torch.zeros(1, out_channel, 1, 1))`);
* aqlaboratory/openfold openfold/model/primitives.py (`final_init_`, `gating_init_` fill the weight
  with 0; `bias_init_zero_`, `bias_init_one_`);
* karpathy/nanoGPT model.py (`for pn, p in self.named_parameters(): if pn.endswith('c_proj.weight'):
  normal_(p, std=0.02/math.sqrt(2 * n_layer))`): random, never a finding.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as tinit
from torch.nn.init import constant_, xavier_uniform_


class MSDeformAttn(nn.Module):
    def __init__(self, d_model=256, n_levels=4, n_heads=8, n_points=4):
        super().__init__()
        self.d_model, self.n_levels, self.n_heads, self.n_points = d_model, n_levels, n_heads, n_points
        self.sampling_offsets = nn.Linear(d_model, n_heads * n_levels * n_points * 2)
        self.attention_weights = nn.Linear(d_model, n_heads * n_levels * n_points)
        self.value_proj = nn.Linear(d_model, d_model)
        self.output_proj = nn.Linear(d_model, d_model)
        self._reset_parameters()

    def _reset_parameters(self):
        constant_(self.sampling_offsets.weight.data, 0.0)  # expect-strict: INI001
        thetas = torch.arange(self.n_heads, dtype=torch.float32) * (2.0 * math.pi / self.n_heads)
        grid = torch.stack([thetas.cos(), thetas.sin()], -1)
        grid = (grid / grid.abs().max(-1, keepdim=True)[0]).view(self.n_heads, 1, 1, 2)
        grid = grid.repeat(1, self.n_levels, self.n_points, 1)
        for i in range(self.n_points):
            grid[:, :, i, :] *= i + 1
        with torch.no_grad():
            self.sampling_offsets.bias = nn.Parameter(grid.view(-1))
        constant_(self.attention_weights.weight.data, 0.0)  # expect-strict: INI001
        constant_(self.attention_weights.bias.data, 0.0)
        xavier_uniform_(self.value_proj.weight.data)
        constant_(self.value_proj.bias.data, 0.0)
        xavier_uniform_(self.output_proj.weight.data)
        constant_(self.output_proj.bias.data, 0.0)


class DeformableAttention2d(nn.Module):
    """RT-DETR-style variant: `import torch.nn.init as ...`, bias written through a slice."""

    def __init__(self, embed_dim=256, num_heads=8, num_levels=3, num_points=4):
        super().__init__()
        self.num_heads, self.num_levels, self.num_points = num_heads, num_levels, num_points
        total = num_heads * num_levels * num_points
        self.sampling_offsets = nn.Linear(embed_dim, total * 2)
        self.attention_weights = nn.Linear(embed_dim, total)
        self.value_proj = nn.Linear(embed_dim, embed_dim)
        self.output_proj = nn.Linear(embed_dim, embed_dim)
        self._reset_parameters()

    def _reset_parameters(self):
        tinit.constant_(self.sampling_offsets.weight, 0)  # expect-strict: INI001
        thetas = torch.arange(self.num_heads, dtype=torch.float32) * (2.0 * math.pi / self.num_heads)
        grid = torch.stack([thetas.cos(), thetas.sin()], -1)
        grid = grid / grid.abs().max(-1, keepdim=True).values
        grid = grid.reshape(self.num_heads, 1, 1, 2).tile([1, self.num_levels, self.num_points, 1])
        grid *= torch.arange(1, self.num_points + 1, dtype=torch.float32).reshape(1, 1, -1, 1)
        self.sampling_offsets.bias.data[...] = grid.flatten()
        tinit.constant_(self.attention_weights.weight, 0)  # expect-strict: INI001
        tinit.constant_(self.attention_weights.bias, 0)
        tinit.xavier_uniform_(self.value_proj.weight)
        tinit.constant_(self.value_proj.bias, 0)
        tinit.xavier_uniform_(self.output_proj.weight)
        tinit.constant_(self.output_proj.bias, 0)


class Expert(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)))


class SparseMoE(nn.Module):
    def __init__(self, dim=512, hidden=1024, num_experts=8, top_k=2):
        super().__init__()
        self.top_k = top_k
        self.router = nn.Linear(dim, num_experts, bias=False)
        nn.init.zeros_(self.router.weight)  # expect-strict: INI001
        self.experts = nn.ModuleList([Expert(dim, hidden) for _ in range(num_experts)])

    def forward(self, x):
        probs = F.softmax(self.router(x), dim=-1)
        weights, idx = torch.topk(probs, self.top_k, dim=-1)
        out = torch.zeros_like(x)
        for k in range(self.top_k):
            for e, expert in enumerate(self.experts):
                mask = idx[..., k] == e
                if mask.any():
                    out[mask] += weights[..., k][mask, None] * expert(x[mask])
        return out


class UpcycledMLP(nn.Module):
    def __init__(self, width=256, experts=8):
        super().__init__()
        self.router = nn.Linear(width, experts)
        self.reset_router()

    def reset_router(self):
        nn.init.zeros_(self.router.weight)  # expect-strict: INI001
        nn.init.zeros_(self.router.bias)


class MixtureGate(nn.Module):
    def __init__(self, d_in, n_experts):
        super().__init__()
        self.fusion = nn.Sequential(nn.Linear(d_in, d_in), nn.LayerNorm(d_in), nn.GELU())
        self.gate = nn.Linear(d_in, n_experts, bias=False)
        nn.init.zeros_(self.gate.weight)  # expect-strict: INI001

    def forward(self, x):
        return F.softmax(self.gate(self.fusion(x)), dim=-1)


class ResidualFusion(nn.Module):
    """Sigmoid gate that starts mostly closed: zero weight, constant negative bias."""

    def __init__(self, hidden, out_dim):
        super().__init__()
        self.gate = nn.Linear(hidden, out_dim)
        nn.init.zeros_(self.gate.weight)  # expect-strict: INI001
        nn.init.constant_(self.gate.bias, -2.0)

    def forward(self, base, delta):
        return base + torch.sigmoid(self.gate(base)) * delta


class ZeroConv2d(nn.Module):
    def __init__(self, in_channel, out_channel, padding=1):
        super().__init__()
        self.conv = nn.Conv2d(in_channel, out_channel, 3, padding=0)
        self.conv.weight.data.zero_()  # expect-strict: INI001
        self.conv.bias.data.zero_()
        self.scale = nn.Parameter(torch.zeros(1, out_channel, 1, 1))
        self.padding = padding

    def forward(self, x):
        out = F.pad(x, [self.padding] * 4, value=1)
        out = self.conv(out)
        return out * torch.exp(self.scale * 3)


class AffineCoupling(nn.Module):
    def __init__(self, in_channel, filter_size=512):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_channel // 2, filter_size, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(filter_size, filter_size, 1),
            nn.ReLU(inplace=True),
            ZeroConv2d(filter_size, in_channel),
        )
        self.net[0].weight.data.normal_(0, 0.05)
        self.net[0].bias.data.zero_()
        self.net[2].weight.data.normal_(0, 0.05)
        self.net[2].bias.data.zero_()


# Local helpers that zero their argument are summarised: the findings go to their call sites
# (see README, decision 4), judged there with the helper's name as one more intent signal.
def final_init_(weights):
    with torch.no_grad():
        weights.fill_(0.0)


def gating_init_(weights):
    with torch.no_grad():
        weights.fill_(0.0)


def bias_init_zero_(bias):
    with torch.no_grad():
        bias.fill_(0.0)


def bias_init_one_(bias):
    with torch.no_grad():
        bias.fill_(1.0)


class FoldLinear(nn.Linear):
    """OpenFold-style Linear whose init is chosen by name."""

    def __init__(self, in_dim, out_dim, bias=True, init="default"):
        super().__init__(in_dim, out_dim, bias=bias)
        if bias:
            bias_init_zero_(self.bias)
        if init == "final":
            final_init_(self.weight)  # expect-strict: INI001
        elif init == "gating":
            gating_init_(self.weight)  # expect-strict: INI001
            if bias:
                bias_init_one_(self.bias)
        elif init == "glorot":
            nn.init.xavier_uniform_(self.weight, gain=1)


class TriangleAttentionLike(nn.Module):
    def __init__(self, c_in, c_hidden, no_heads):
        super().__init__()
        self.linear_g = FoldLinear(c_in, c_hidden * no_heads, init="gating")
        self.linear_o = FoldLinear(c_hidden * no_heads, c_in, init="final")


class GPTLike(nn.Module):
    def __init__(self, n_layer=12, n_embd=768, vocab_size=50304):
        super().__init__()
        self.n_layer = n_layer
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.h = nn.ModuleList([nn.ModuleDict({"c_fc": nn.Linear(n_embd, 4 * n_embd), "c_proj": nn.Linear(4 * n_embd, n_embd)}) for _ in range(n_layer)])
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)


class ZeroedResidualGPT(nn.Module):
    """Same loop, but the residual projections start at zero on purpose (name-selected)."""

    def __init__(self, n_layer=12, n_embd=768):
        super().__init__()
        self.h = nn.ModuleList([nn.ModuleDict({"c_fc": nn.Linear(n_embd, 4 * n_embd), "c_proj": nn.Linear(4 * n_embd, n_embd)}) for _ in range(n_layer)])
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.zeros_(p)  # expect-strict: INI001
