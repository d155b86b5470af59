"""Deliberate zero kernels in Flax code (issue 4): silent by default, reported with the reason
under --strict. Modelled on google-research/vision_transformer (ViT and MLP-Mixer heads:
`kernel_init=nn.initializers.zeros`, `name="head"`), big_vision (BiT's head, zero
logits layers, a label embedding behind `zero_embedding_init`,
jet's `out_kernel_init`), and the JAX port of DiT (adaLN-Zero via `constant(0.)`, its output
split into shift/scale/gate). Zero-γ residual norms (`scale_init=zeros` on GroupNorm) are norm
parameters and never reported.
"""
from typing import Optional

import flax.linen as nn
import jax.numpy as jnp


class VisionTransformerHead(nn.Module):
    num_classes: Optional[int] = 1000
    head_bias_init: float = 0.0

    @nn.compact
    def __call__(self, x):
        x = nn.LayerNorm(name="encoder_norm")(x)
        x = x[:, 0]
        if self.num_classes:
            x = nn.Dense(  # expect-strict: INI001
                features=self.num_classes,
                name="head",
                kernel_init=nn.initializers.zeros,
                bias_init=nn.initializers.constant(self.head_bias_init))(x)
        return x


class MixerHead(nn.Module):
    num_classes: int

    @nn.compact
    def __call__(self, x):
        x = nn.LayerNorm(name="pre_head_layer_norm")(x)
        x = jnp.mean(x, axis=1)
        return nn.Dense(self.num_classes, kernel_init=nn.initializers.zeros)(x)  # expect-strict: INI001


class BottleneckBlock(nn.Module):
    """BiT: the last GroupNorm of each residual branch starts at γ = 0 (a norm: silent)."""

    features: int

    @nn.compact
    def __call__(self, x):
        y = nn.Conv(self.features, (1, 1), use_bias=False, name="conv1")(x)
        y = nn.relu(nn.GroupNorm(name="gn1")(y))
        y = nn.Conv(self.features * 4, (1, 1), use_bias=False, name="conv3")(y)
        y = nn.GroupNorm(name="gn3", scale_init=nn.initializers.zeros)(y)
        return nn.relu(x + y)


class ResNetV2(nn.Module):
    num_classes: int = 0
    head_zeroinit: bool = True

    @nn.compact
    def __call__(self, x):
        out = {}
        x = out["pre_logits"] = jnp.mean(x, axis=(1, 2))
        if self.num_classes:
            head = nn.Dense(self.num_classes, name="head", kernel_init=nn.initializers.zeros)  # expect-strict: INI001
            x = out["logits"] = head(x)
        return x, out


class Decoder(nn.Module):
    output_vocab_size: int
    num_labels: int = 1000
    zero_embedding_init: bool = False

    @nn.compact
    def __call__(self, y, labels):
        emb = nn.Embed(  # expect-strict: INI001
            self.num_labels,
            512,
            name="EmbedLabels",
            embedding_init=nn.initializers.zeros if self.zero_embedding_init else nn.initializers.normal(stddev=1.0),
        )(labels)
        y = nn.LayerNorm(name="LayerNorm")(y + emb)
        logits = nn.Dense(self.output_vocab_size, kernel_init=nn.initializers.zeros, name="LogitsDense")(y)  # expect-strict: INI001
        return logits


class CouplingNet(nn.Module):
    num_heads: int = 4
    emb_dim: int = 256

    @nn.compact
    def __call__(self, x, context):
        out_dim = x.shape[-1]
        x = nn.Dense(self.emb_dim, name="init_proj")(x)
        y = nn.MultiHeadDotProductAttention(  # expect-strict: INI001
            num_heads=self.num_heads,
            qkv_features=self.emb_dim,
            out_kernel_init=nn.initializers.zeros,
            out_features=x.shape[-1])(x, context)
        x = x + y
        bias, scale = jnp.split(
            nn.Dense(2 * out_dim, kernel_init=nn.initializers.zeros, name="final_proj")(x),  # expect-strict: INI001
            2, axis=-1)
        return bias, scale


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


class DiTBlock(nn.Module):
    """A DiT block with adaptive layer norm zero (adaLN-Zero) conditioning."""

    hidden_size: int
    num_heads: int

    @nn.compact
    def __call__(self, x, c):
        c = nn.silu(c)
        c = nn.Dense(6 * self.hidden_size, kernel_init=nn.initializers.constant(0.))(c)  # expect-strict: INI001
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = jnp.split(c, 6, axis=-1)
        x_norm = nn.LayerNorm(use_bias=False, use_scale=False)(x)
        attn_x = nn.MultiHeadDotProductAttention(kernel_init=nn.initializers.xavier_uniform(),
                                                 num_heads=self.num_heads)(modulate(x_norm, shift_msa, scale_msa),
                                                                           modulate(x_norm, shift_msa, scale_msa))
        x = x + gate_msa[:, None] * attn_x
        mlp_x = nn.Dense(self.hidden_size)(modulate(nn.LayerNorm()(x), shift_mlp, scale_mlp))
        return x + gate_mlp[:, None] * mlp_x


class FinalLayer(nn.Module):
    patch_size: int
    out_channels: int
    hidden_size: int

    @nn.compact
    def __call__(self, x, c):
        c = nn.silu(c)
        c = nn.Dense(2 * self.hidden_size, kernel_init=nn.initializers.constant(0))(c)  # expect-strict: INI001
        shift, scale = jnp.split(c, 2, axis=-1)
        x = modulate(nn.LayerNorm(use_bias=False, use_scale=False)(x), shift, scale)
        x = nn.Dense(self.patch_size * self.patch_size * self.out_channels,  # expect-strict: INI001
                     kernel_init=nn.initializers.constant(0))(x)
        return x
