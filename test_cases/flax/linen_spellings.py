"""Flax linen: every spelling of a constant `kernel_init`/`embedding_init`, on every layer
family (issue 4).

`jax.nn.initializers.zeros`/`ones` are initializers themselves (`init(key, shape, dtype)`);
Flax re-exports them as `flax.linen.initializers.zeros`, `nn.initializers.zeros` and at the top
of linen as `nn.zeros`, and adds the factories `zeros_init()`/`ones_init()`. `constant(v)`
takes its value. Flax's default bias is `zeros_init()`.
"""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
from flax.linen import initializers
from flax.linen.initializers import constant, zeros_init
from jax.nn import initializers as jinit


class Spellings(nn.Module):
    features: int = 256

    @nn.compact
    def __call__(self, x):
        a = nn.Dense(self.features, kernel_init=nn.initializers.zeros)(x)  # expect: INI001
        b = nn.Dense(self.features, kernel_init=nn.initializers.zeros_init())(x)  # expect: INI001
        c = nn.Dense(self.features, kernel_init=nn.zeros)(x)  # expect: INI001
        d = nn.Dense(self.features, kernel_init=nn.zeros_init())(x)  # expect: INI001
        e = nn.Dense(self.features, kernel_init=zeros_init())(x)  # expect: INI001
        f = nn.Dense(self.features, kernel_init=initializers.zeros)(x)  # expect: INI001
        g = nn.Dense(self.features, kernel_init=jax.nn.initializers.zeros)(x)  # expect: INI001
        h = nn.Dense(self.features, kernel_init=jinit.constant(0))(x)  # expect: INI001
        i = nn.Dense(self.features, kernel_init=constant(0.0))(x)  # expect: INI001
        j = nn.Dense(self.features, kernel_init=nn.initializers.constant(-0.))(x)  # expect: INI001
        k = nn.Dense(self.features, kernel_init=nn.initializers.ones)(x)  # expect: INI002
        m = nn.Dense(self.features, kernel_init=nn.ones_init())(x)  # expect: INI002
        n = nn.Dense(self.features, kernel_init=nn.initializers.constant(0.5))(x)  # expect: INI002
        o = nn.Dense(self.features, kernel_init=jax.nn.initializers.ones)(x)  # expect: INI002
        init = nn.initializers.zeros_init()
        p = nn.Dense(self.features, kernel_init=init)(x)  # expect: INI001
        q = nn.Dense(  # expect: INI001
            features=self.features,
            use_bias=True,
            kernel_init=nn.initializers.zeros,
        )(x)
        # random inits, and the initializers of biases and norm scales, are fine
        r = nn.Dense(self.features, kernel_init=nn.initializers.lecun_normal())(x)
        s = nn.Dense(self.features, kernel_init=nn.initializers.normal(stddev=0.02), bias_init=nn.initializers.zeros)(x)
        t = nn.Dense(self.features, bias_init=nn.initializers.constant(0.1))(x)
        u = nn.LayerNorm(scale_init=nn.initializers.zeros, bias_init=nn.initializers.zeros)(x)
        v = nn.GroupNorm(num_groups=32, scale_init=nn.zeros_init())(x)
        w = nn.BatchNorm(use_running_average=True, scale_init=nn.initializers.zeros)(x)
        # not Flax initializers at all: jnp.zeros takes no key, so Flax would fail
        y = nn.Dense(self.features, kernel_init=jnp.zeros)(x)
        return jnp.concatenate([a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q, r, s, t, u, v, w, y], axis=-1)


class Families(nn.Module):
    features: int = 64
    vocab_size: int = 32000

    @nn.compact
    def __call__(self, tokens, images, carry):
        emb = nn.Embed(self.vocab_size, self.features, embedding_init=nn.initializers.zeros)(tokens)  # expect: INI004
        proj = nn.DenseGeneral(features=(8, 64), axis=-1, kernel_init=nn.initializers.zeros)(emb)  # expect: INI004
        conv = nn.Conv(self.features, (3, 3), kernel_init=nn.initializers.zeros)(images)  # expect: INI001
        up = nn.ConvTranspose(self.features, (2, 2), strides=(2, 2), kernel_init=nn.initializers.ones)(conv)  # expect: INI002
        local = nn.ConvLocal(self.features, (3, 3), kernel_init=nn.zeros_init())(images)  # expect: INI001
        cell = nn.LSTMCell(self.features, recurrent_kernel_init=nn.initializers.zeros)  # expect: INI001
        carry, out = cell(carry, emb[:, 0])
        gru = nn.GRUCell(self.features, kernel_init=nn.initializers.zeros)  # expect: INI001
        carry, out2 = gru(carry, emb[:, 1])
        einsum = nn.Einsum((8, self.features, self.features), "bld,hdk->blhk", kernel_init=zeros_init())(emb)  # expect: INI001
        # the embedding of a padding/unknown row set later, a random table: fine
        table = nn.Embed(self.vocab_size, self.features, embedding_init=nn.initializers.normal(stddev=1.0))(tokens)
        return proj, up, local, out, out2, einsum, table


class Attention(nn.Module):
    """One `kernel_init` sets the query, key, value and output projections of Flax's attention,
    unless `out_kernel_init` gives the output its own."""

    num_heads: int = 8

    @nn.compact
    def __call__(self, x):
        # value and output projections both zero, with zero bias: neither ever trains
        a = nn.MultiHeadDotProductAttention(num_heads=self.num_heads, kernel_init=nn.initializers.zeros)(x)  # expect: INI004
        b = nn.SelfAttention(num_heads=self.num_heads, kernel_init=nn.zeros_init())(x)  # expect: INI004
        # a random output projection gives the value projection a gradient, but the query and
        # key start at zero together: each one's gradient is the other's output, so neither
        # ever trains and the attention stays uniform
        c = nn.MultiHeadDotProductAttention(  # expect: INI004
            num_heads=self.num_heads,
            kernel_init=nn.initializers.zeros,
            out_kernel_init=nn.initializers.xavier_uniform(),
        )(x)
        # a zero output projection alone is the end of a residual branch
        d = nn.MultiHeadDotProductAttention(num_heads=self.num_heads, out_kernel_init=nn.initializers.zeros)(x)  # expect-strict: INI001
        return x + a + b + c + d


class ConfiguredDense(nn.Module):
    """A module whose kernel initializer is a field: its default is what the class does."""

    features: int
    kernel_init: Callable = nn.initializers.zeros_init()
    bias_init: Callable = nn.initializers.zeros_init()

    @nn.compact
    def __call__(self, x):
        # added back to its input: a residual branch that starts as the identity
        return nn.Dense(self.features, kernel_init=self.kernel_init, bias_init=self.bias_init)(x) + x  # expect-strict: INI001
