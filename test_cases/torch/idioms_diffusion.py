"""Diffusion-model idioms: adaLN-Zero, zero convolutions, zero output projections.

Modelled on:
* facebookresearch/DiT models.py (`initialize_weights`: `_basic_init` applied to every Linear with
  xavier; `for block in self.blocks: constant_(block.adaLN_modulation[-1].weight, 0)`; FinalLayer's
  adaLN modulation and `linear` zeroed; the modulation enters as `x * (1 + scale) + shift`, so the
  two zero layers of the final layer are *not* a dead chain);
* lllyasviel/ControlNet ldm/modules/diffusionmodules/util.py and ldm/modules/attention.py
  (`zero_module`: `for p in module.parameters(): p.detach().zero_()`), cldm/cldm.py
  (`make_zero_conv`, `zero_convs`, `input_hint_block` ending in a zero conv);
* huggingface/diffusers src/diffusers/models/controlnets/controlnet.py (`zero_module` with
  `nn.init.zeros_(p)`, `conv_out = zero_module(...)`), models/resnet.py (`conv4[-1]` zeroed "so the
  conv block is identity"), models/transformers/transformer_prx.py (class `Modulation` with a zeroed
  `lin`), models/unets/unet_kandinsky3.py (`context_mlp[1]` zeroed in a conditional GroupNorm),
  models/autoencoders/autoencoder_same.py (`proj_out`, `to_out` zeroed);
* kyegomez/zeta zeta/nn/modules/film.py (`net[-1]` zero) and video_diffusion_modules.py (`proj_out`).

Contract reminder (see README): a local `zero_module` helper zeroes every parameter of the
module it is given, so it is judged at its call sites: one zero layer there (`expect-strict:
INI001`, its name says zero), every layer when a loop or `.apply` hands it each module
(`bugs_every_layer.py`). Its body carries no annotation.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


def zero_module(module):
    """Zero out the parameters of a module and return it."""
    for p in module.parameters():
        p.detach().zero_()
    return module


def zero_module_init(module: nn.Module) -> nn.Module:
    for p in module.parameters():
        nn.init.zeros_(p)
    return module


def conv_nd(dims, *args, **kwargs):
    if dims == 1:
        return nn.Conv1d(*args, **kwargs)
    if dims == 2:
        return nn.Conv2d(*args, **kwargs)
    return nn.Conv3d(*args, **kwargs)


class TimestepEmbedder(nn.Module):
    def __init__(self, hidden_size, frequency_embedding_size=256):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(frequency_embedding_size, hidden_size, bias=True),
            nn.SiLU(),
            nn.Linear(hidden_size, hidden_size, bias=True),
        )
        self.frequency_embedding_size = frequency_embedding_size


class DiTBlock(nn.Module):
    def __init__(self, hidden_size, num_heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=1e-6)
        self.attn = nn.MultiheadAttention(hidden_size, num_heads, batch_first=True)
        self.norm2 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=1e-6)
        hidden = int(hidden_size * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(hidden_size, hidden), nn.GELU(approximate="tanh"), nn.Linear(hidden, hidden_size))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 6 * hidden_size, bias=True))

    def forward(self, x, c):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.adaLN_modulation(c).chunk(6, dim=1)
        h = modulate(self.norm1(x), shift_msa, scale_msa)
        x = x + gate_msa.unsqueeze(1) * self.attn(h, h, h, need_weights=False)[0]
        x = x + gate_mlp.unsqueeze(1) * self.mlp(modulate(self.norm2(x), shift_mlp, scale_mlp))
        return x


class FinalLayer(nn.Module):
    def __init__(self, hidden_size, patch_size, out_channels):
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(hidden_size, patch_size * patch_size * out_channels, bias=True)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 2 * hidden_size, bias=True))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm_final(x), shift, scale))


class DiffusionTransformer(nn.Module):
    def __init__(self, input_size=32, patch_size=2, in_channels=4, hidden_size=1152, depth=28, num_heads=16):
        super().__init__()
        self.out_channels = in_channels * 2
        self.x_proj = nn.Conv2d(in_channels, hidden_size, kernel_size=patch_size, stride=patch_size)
        self.t_embedder = TimestepEmbedder(hidden_size)
        num_patches = (input_size // patch_size) ** 2
        # Fixed sin-cos table, filled below: frozen, so its zeros are not an init.
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches, hidden_size), requires_grad=False)
        self.blocks = nn.ModuleList([DiTBlock(hidden_size, num_heads) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden_size, patch_size, self.out_channels)
        self.initialize_weights()

    def initialize_weights(self):
        def _basic_init(module):
            if isinstance(module, nn.Linear):
                torch.nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.constant_(module.bias, 0)

        self.apply(_basic_init)

        table = torch.randn(self.pos_embed.shape[1:])  # stands for the sin-cos table
        self.pos_embed.data.copy_(table.unsqueeze(0))

        w = self.x_proj.weight.data
        nn.init.xavier_uniform_(w.view([w.shape[0], -1]))
        nn.init.constant_(self.x_proj.bias, 0)

        nn.init.normal_(self.t_embedder.mlp[0].weight, std=0.02)
        nn.init.normal_(self.t_embedder.mlp[2].weight, std=0.02)

        # adaLN-Zero: every block starts as the identity.
        for block in self.blocks:
            nn.init.constant_(block.adaLN_modulation[-1].weight, 0)  # expect-strict: INI001
            nn.init.constant_(block.adaLN_modulation[-1].bias, 0)

        nn.init.constant_(self.final_layer.adaLN_modulation[-1].weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.final_layer.adaLN_modulation[-1].bias, 0)
        nn.init.constant_(self.final_layer.linear.weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.final_layer.linear.bias, 0)


class Modulation(nn.Module):
    """Produces (shift, scale, gate) twice; the class name says what `lin` is."""

    def __init__(self, dim: int):
        super().__init__()
        self.lin = nn.Linear(dim, 6 * dim, bias=True)
        nn.init.constant_(self.lin.weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.lin.bias, 0)

    def forward(self, vec):
        out = self.lin(F.silu(vec))[:, None, :].chunk(6, dim=-1)
        return tuple(out[:3]), tuple(out[3:])


class ConditionalGroupNorm(nn.Module):
    """GroupNorm whose scale/shift come from a context vector; the projection starts at zero."""

    def __init__(self, groups, channels, context_dim):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, affine=False)
        self.context_mlp = nn.Sequential(nn.SiLU(), nn.Linear(context_dim, 2 * channels))
        self.context_mlp[1].weight.data.zero_()  # expect-strict: INI001
        self.context_mlp[1].bias.data.zero_()

    def forward(self, x, context):
        scale, shift = self.context_mlp(context)[..., None, None].chunk(2, dim=1)
        return self.norm(x) * (scale + 1.0) + shift


class TemporalConvBlock(nn.Module):
    def __init__(self, in_dim, out_dim=None, dropout=0.0, groups=32):
        super().__init__()
        out_dim = out_dim or in_dim
        self.conv1 = nn.Sequential(nn.GroupNorm(groups, in_dim), nn.SiLU(), nn.Conv3d(in_dim, out_dim, (3, 1, 1), padding=(1, 0, 0)))
        self.conv2 = nn.Sequential(
            nn.GroupNorm(groups, out_dim),
            nn.SiLU(),
            nn.Dropout(dropout),
            nn.Conv3d(out_dim, in_dim, (3, 1, 1), padding=(1, 0, 0)),
        )
        # The last conv of the branch starts at zero, so the block starts as the identity.
        nn.init.zeros_(self.conv2[-1].weight)  # expect-strict: INI001
        nn.init.zeros_(self.conv2[-1].bias)

    def forward(self, x):
        return x + self.conv2(self.conv1(x))


class SpatialTransformer(nn.Module):
    """LDM-style transformer over a feature map; proj_out is a zero conv."""

    def __init__(self, in_channels, n_heads, d_head, use_linear=False):
        super().__init__()
        inner_dim = n_heads * d_head
        self.norm = nn.GroupNorm(32, in_channels, eps=1e-6, affine=True)
        if not use_linear:
            self.proj_in = nn.Conv2d(in_channels, inner_dim, kernel_size=1)
            self.proj_out = zero_module(nn.Conv2d(inner_dim, in_channels, kernel_size=1))  # expect-strict: INI001
        else:
            self.proj_in = nn.Linear(in_channels, inner_dim)
            self.proj_out = zero_module(nn.Linear(inner_dim, in_channels))  # expect-strict: INI001


class AttnBlock(nn.Module):
    """VAE-style attention block with the projections initialised by hand."""

    def __init__(self, channels, heads=1):
        super().__init__()
        self.norm = nn.GroupNorm(32, channels)
        self.to_qkv = nn.Conv2d(channels, channels * 3, 1)
        self.proj_out = nn.Conv2d(channels, channels, 1)
        nn.init.xavier_uniform_(self.to_qkv.weight)
        nn.init.zeros_(self.proj_out.weight)  # expect-strict: INI001
        nn.init.zeros_(self.proj_out.bias)


class CrossAttention(nn.Module):
    def __init__(self, query_dim, context_dim, heads=8, dim_head=64, dropout=0.0):
        super().__init__()
        inner = heads * dim_head
        self.to_q = nn.Linear(query_dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(inner, query_dim), nn.Dropout(dropout)])
        nn.init.zeros_(self.to_out[0].weight)  # expect-strict: INI001


class ControlNetConditioningEmbedding(nn.Module):
    def __init__(self, conditioning_embedding_channels, conditioning_channels=3, block_out_channels=(16, 32, 96, 256)):
        super().__init__()
        self.conv_in = nn.Conv2d(conditioning_channels, block_out_channels[0], kernel_size=3, padding=1)
        self.blocks = nn.ModuleList([])
        for i in range(len(block_out_channels) - 1):
            self.blocks.append(nn.Conv2d(block_out_channels[i], block_out_channels[i], 3, padding=1))
            self.blocks.append(nn.Conv2d(block_out_channels[i], block_out_channels[i + 1], 3, padding=1, stride=2))
        self.conv_out = zero_module_init(nn.Conv2d(block_out_channels[-1], conditioning_embedding_channels, 3, padding=1))  # expect-strict: INI001

    def forward(self, cond):
        x = F.silu(self.conv_in(cond))
        for block in self.blocks:
            x = F.silu(block(x))
        return self.conv_out(x)


class ControlBranch(nn.Module):
    """ControlNet copy of the encoder: every injection point goes through a zero conv."""

    def __init__(self, dims=2, model_channels=320, channel_mult=(1, 2, 4, 4)):
        super().__init__()
        self.dims = dims
        self.zero_convs = nn.ModuleList([self.make_zero_conv(model_channels)])
        for mult in channel_mult:
            self.zero_convs.append(self.make_zero_conv(model_channels * mult))
        self.middle_block_out = self.make_zero_conv(model_channels * channel_mult[-1])
        self.input_hint_block = nn.Sequential(
            conv_nd(dims, 3, 16, 3, padding=1),
            nn.SiLU(),
            conv_nd(dims, 16, 32, 3, padding=1, stride=2),
            nn.SiLU(),
            zero_module(conv_nd(dims, 32, model_channels, 3, padding=1)),  # expect-strict: INI001
        )

    def make_zero_conv(self, channels):
        return nn.Sequential(zero_module(conv_nd(self.dims, channels, channels, 1, padding=0)))  # expect-strict: INI001


class FluxLikeControlNet(nn.Module):
    def __init__(self, inner_dim=3072, num_layers=19, in_channels=64):
        super().__init__()
        self.controlnet_blocks = nn.ModuleList([])
        for _ in range(num_layers):
            self.controlnet_blocks.append(zero_module_init(nn.Linear(inner_dim, inner_dim)))  # expect-strict: INI001
        self.controlnet_x_embedder = zero_module_init(nn.Linear(in_channels, inner_dim))  # expect-strict: INI001


class FiLMGenerator(nn.Module):
    def __init__(self, dim, hidden_dim, expansion=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden_dim * expansion),
            nn.SiLU(),
            nn.Linear(hidden_dim * expansion, dim * 2),
        )
        nn.init.zeros_(self.net[-1].weight)  # expect-strict: INI001
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, cond, hidden):
        scale, shift = self.net(cond).chunk(2, dim=-1)
        return hidden * (scale + 1) + shift


class AudioDiT(nn.Module):
    """Longcat-style: every per-block adaLN MLP ends in a zero layer, plus a zero output."""

    def __init__(self, dim=1024, depth=12, out_dim=64):
        super().__init__()
        self.blocks = nn.ModuleList([nn.ModuleDict({"adaln_mlp": nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))}) for _ in range(depth)])
        self.proj_out = nn.Linear(dim, out_dim)
        for block in self.blocks:
            nn.init.constant_(block["adaln_mlp"][-1].weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.proj_out.weight, 0)  # expect-strict: INI001
        nn.init.constant_(self.proj_out.bias, 0)


def timestep_embedding(t, dim, max_period=10000):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb
