"""Small real JAX models for the runtime tests: Flax linen and nnx, Equinox, Haiku.

Each library gets the same four stories, written the way its users write them:

- an MLP whose hidden layer is zero-initialised before a ReLU (dead: INI004 with the probe);
- a CNN whose first convolution has a constant kernel (INI002; its units drift apart);
- a ViT/DiT-style block whose head and adaLN-Zero modulation are zero (deliberate: notes);
- duplicate units made by copying one unit's weights into another (INI005).

Sizes are tiny so that XLA compiles each probe in a fraction of a second.
"""

from __future__ import annotations

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
from flax import nnx

zeros = nn.initializers.zeros
X = jax.random.normal(jax.random.key(1), (6, 8))  # (batch, features)
IMAGES = jax.random.normal(jax.random.key(2), (2, 6, 6, 3))  # NHWC
TOKENS = jax.random.normal(jax.random.key(3), (2, 4, 12))  # (batch, patches, patch dim)
COND = jax.random.normal(jax.random.key(4), (2, 16))  # conditioning (timestep/class embedding)


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


# -- Flax linen --------------------------------------------------------------------------------

class LinenMLP(nn.Module):
    hidden_init: nn.initializers.Initializer = nn.initializers.lecun_normal()

    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Dense(16, kernel_init=self.hidden_init, name="fc1")(x))
        x = nn.relu(nn.Dense(16, name="fc2")(x))
        return nn.Dense(3, name="head")(x)


class LinenCNN(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Conv(8, (3, 3), kernel_init=nn.initializers.constant(0.1), name="conv1")(x))
        x = nn.relu(nn.Conv(8, (3, 3), name="conv2")(x))
        return nn.Dense(3, name="head")(x.mean(axis=(1, 2)))


class LinenDiTBlock(nn.Module):
    """A DiT block (adaLN-Zero) with a zero-initialised classification head."""

    hidden: int = 16
    heads: int = 2
    classes: int = 5

    @nn.compact
    def __call__(self, x, c):
        x = nn.Dense(self.hidden, name="patch_embed")(x)
        mod = nn.Dense(6 * self.hidden, kernel_init=zeros, name="adaLN_modulation")(nn.silu(c))
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = jnp.split(mod, 6, axis=-1)
        h = modulate(nn.LayerNorm(use_scale=False, use_bias=False)(x), shift_msa, scale_msa)
        x = x + gate_msa[:, None] * nn.MultiHeadDotProductAttention(num_heads=self.heads, name="attn")(h, h)
        h = modulate(nn.LayerNorm(use_scale=False, use_bias=False)(x), shift_mlp, scale_mlp)
        h = nn.Dense(self.hidden, name="fc2")(nn.gelu(nn.Dense(2 * self.hidden, name="fc1")(h)))
        x = x + gate_mlp[:, None] * h
        x = nn.LayerNorm(name="norm")(x).mean(axis=1)
        return nn.Dense(self.classes, kernel_init=zeros, name="head")(x)


def linen_variables(module, *inputs):
    """``module.init`` under jit: one compilation instead of one per primitive (faster tests)."""
    return jax.jit(module.init)(jax.random.key(0), *inputs)


def copy_column(kernel, src, dst):
    """Unit ``dst`` of a Flax/Haiku kernel (units last) becomes a copy of unit ``src``."""
    return kernel.at[..., dst].set(kernel[..., src])


def copy_row(kernel, src, dst):
    return kernel.at[dst].set(kernel[src])


# -- Flax nnx ----------------------------------------------------------------------------------

class NnxMLP(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs, hidden_init=nnx.initializers.lecun_normal()):
        self.fc1 = nnx.Linear(8, 16, kernel_init=hidden_init, rngs=rngs)
        self.fc2 = nnx.Linear(16, 16, rngs=rngs)
        self.dropout = nnx.Dropout(0.5, rngs=rngs)
        self.norm = nnx.BatchNorm(16, rngs=rngs)
        self.head = nnx.Linear(16, 3, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.fc1(x))
        x = self.norm(nnx.relu(self.fc2(x)))
        return self.head(self.dropout(x))


class NnxCNN(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.conv1 = nnx.Conv(3, 8, kernel_size=(3, 3), kernel_init=nnx.initializers.constant(0.1), rngs=rngs)
        self.conv2 = nnx.Conv(8, 8, kernel_size=(3, 3), rngs=rngs)
        self.head = nnx.Linear(8, 3, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.conv2(nnx.relu(self.conv1(x))))
        return self.head(x.mean(axis=(1, 2)))


class NnxDiTBlock(nnx.Module):
    def __init__(self, hidden=16, heads=2, classes=5, patch=12, *, rngs: nnx.Rngs):
        self.patch_embed = nnx.Linear(patch, hidden, rngs=rngs)
        self.adaLN_modulation = nnx.Linear(hidden, 6 * hidden, kernel_init=nnx.initializers.zeros, rngs=rngs)
        self.norm1 = nnx.LayerNorm(hidden, use_scale=False, use_bias=False, rngs=rngs)
        self.attn = nnx.MultiHeadAttention(num_heads=heads, in_features=hidden, decode=False, rngs=rngs)
        self.norm2 = nnx.LayerNorm(hidden, use_scale=False, use_bias=False, rngs=rngs)
        self.fc1 = nnx.Linear(hidden, 2 * hidden, rngs=rngs)
        self.fc2 = nnx.Linear(2 * hidden, hidden, rngs=rngs)
        self.norm = nnx.LayerNorm(hidden, rngs=rngs)
        self.head = nnx.Linear(hidden, classes, kernel_init=nnx.initializers.zeros, rngs=rngs)

    def __call__(self, x, c):
        x = self.patch_embed(x)
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = jnp.split(
            self.adaLN_modulation(nnx.silu(c)), 6, axis=-1)
        h = modulate(self.norm1(x), shift_msa, scale_msa)
        x = x + gate_msa[:, None] * self.attn(h)
        h = modulate(self.norm2(x), shift_mlp, scale_mlp)
        x = x + gate_mlp[:, None] * self.fc2(nnx.gelu(self.fc1(h)))
        return self.head(self.norm(x).mean(axis=1))


# -- Equinox -----------------------------------------------------------------------------------

def eqx_mlp(seed=0):
    return eqx.nn.MLP(8, 3, 16, depth=2, key=jax.random.key(seed))  # ReLU hidden layers


def eqx_zero_hidden(mlp, zero_bias=True):
    mlp = eqx.tree_at(lambda m: m.layers[0].weight, mlp, jnp.zeros_like(mlp.layers[0].weight))
    if zero_bias:
        mlp = eqx.tree_at(lambda m: m.layers[0].bias, mlp, jnp.zeros_like(mlp.layers[0].bias))
    return mlp


class EqxCNN(eqx.Module):
    conv1: eqx.nn.Conv2d
    conv2: eqx.nn.Conv2d
    head: eqx.nn.Linear

    def __init__(self, key):
        k1, k2, k3 = jax.random.split(key, 3)
        conv1 = eqx.nn.Conv2d(3, 8, 3, key=k1)
        self.conv1 = eqx.tree_at(lambda c: c.weight, conv1, jnp.full_like(conv1.weight, 0.1))
        self.conv2 = eqx.nn.Conv2d(8, 8, 3, key=k2)
        self.head = eqx.nn.Linear(8, 3, key=k3)

    def __call__(self, x):  # one CHW image, as Equinox layers take
        x = jax.nn.relu(self.conv2(jax.nn.relu(self.conv1(x))))
        return self.head(x.mean(axis=(1, 2)))


def batched(module, x):
    """apply_fn for Equinox modules written for one example: vmap over the batch."""
    return jax.vmap(module)(x)


# -- Haiku -------------------------------------------------------------------------------------

def haiku_mlp(hidden_init=None, logits_init=None):
    def forward(x):
        x = jax.nn.relu(hk.Linear(16, w_init=hidden_init, name="hidden")(x))
        x = jax.nn.relu(hk.Linear(16, name="hidden2")(x))
        return hk.Linear(3, w_init=logits_init, name="logits")(x)

    f = hk.without_apply_rng(hk.transform(forward))
    return f, f.init(jax.random.key(0), X)


def haiku_cnn():
    def forward(x):
        x = jax.nn.relu(hk.Conv2D(8, 3, w_init=hk.initializers.Constant(0.1))(x))
        x = jax.nn.relu(hk.Conv2D(8, 3)(x))
        return hk.Linear(3)(x.mean(axis=(1, 2)))

    f = hk.without_apply_rng(hk.transform(forward))
    return f, f.init(jax.random.key(0), IMAGES)
