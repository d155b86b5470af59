"""Flax linen: `self.param(name, init_fn, shape)` roles, and INI004 in `@nn.compact` bodies
(issue 4).

A parameter is a weight when its name says so (`kernel`, `w`, `embedding`) or its literal
shape is 2-D or more; biases, scales, tokens, position embeddings and scalars start constant
by design. A zero kernel whose output goes straight into `nn.relu` (nested, in the next
statement, through `setup`) is dead: Flax's default bias is zero too.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


class DenseFromScratch(nn.Module):
    """The Flax docs' hand-written Dense, with the inits a user might try."""

    features: int

    @nn.compact
    def __call__(self, inputs):
        kernel = self.param("kernel", nn.initializers.zeros, (inputs.shape[-1], self.features))  # expect: INI001
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        w2 = self.param("w2", nn.initializers.constant(0.02), (self.features, self.features))  # expect: INI002
        mixing = self.param("mixing", jax.nn.initializers.zeros, (4, self.features, self.features))  # expect: INI001
        embedding = self.param("embedding", nn.initializers.zeros_init(), (1000, self.features))  # expect-strict: INI001
        y = jnp.dot(inputs, kernel) + bias
        return (y @ w2) @ mixing[0] + embedding[0]


class ViTStem(nn.Module):
    """Tokens, position embeddings, scales and temperatures: never reported."""

    hidden: int = 768

    @nn.compact
    def __call__(self, x):
        n, length, c = x.shape
        cls = self.param("cls", nn.initializers.zeros, (1, 1, c))
        pos_embedding = self.param("pos_embedding", nn.initializers.zeros, (1, length + 1, c))
        registers = self.param("registers", nn.initializers.zeros, (1, 4, c), x.dtype)
        t = self.param("t", nn.initializers.zeros, (1,), jnp.float32)
        scale = self.param("scale", nn.initializers.zeros_init(), (c,))
        gamma = self.param("layerscale", nn.initializers.constant(1e-5), (c,))
        x = jnp.concatenate([jnp.tile(cls, [n, 1, 1]), x], axis=1) + pos_embedding
        return x * (1 + scale) * gamma * jnp.exp(t), registers


class Einsum(nn.Module):
    """A configurable einsum whose default weight init is zeros (weights loaded later, or not)."""

    shape: tuple
    w_init: nn.initializers.Initializer = nn.initializers.zeros_init()

    @nn.compact
    def __call__(self, eqn, x):
        w = self.param("w", self.w_init, self.shape)  # expect: INI001
        return jnp.einsum(eqn, x, w)


class DeadMlp(nn.Module):
    hidden: int = 512

    @nn.compact
    def __call__(self, x):
        # nested: the output goes straight into ReLU
        y = nn.relu(nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x))  # expect: INI004
        # the next statement applies the activation
        z = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(y)  # expect: INI004
        z = nn.relu(z)
        # jax.nn.relu, relu6, and a convolution without bias
        c = nn.Conv(64, (3, 3), use_bias=False, kernel_init=nn.initializers.zeros)(x[..., None])  # expect: INI004
        c = jax.nn.relu6(c)
        # a random bias: the units whose bias is ≤ 0 stay dead
        r = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros, bias_init=nn.initializers.normal(0.1))(x)  # expect: INI004
        r = nn.relu(r)
        # a positive constant bias keeps the units alive (symmetric only)
        p = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros, bias_init=nn.initializers.constant(0.1))(x)  # expect: INI001
        p = nn.relu(p)
        # GELU/SiLU/tanh pass gradients at 0: symmetric, not dead
        g = nn.gelu(nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x))  # expect: INI001
        s = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x)  # expect: INI001
        s = nn.silu(s)
        # a norm between the layer and the ReLU: not followed further
        n = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x)  # expect: INI001
        n = nn.LayerNorm()(n)
        n = nn.relu(n)
        n = n + r + p + g + s + z
        return n, c


class ChainedZeros(nn.Module):
    """Two zero layers in a row, zero bias, φ(0) = 0 between them: neither gets a gradient."""

    @nn.compact
    def __call__(self, x):
        h = nn.Dense(256, kernel_init=nn.initializers.zeros)(x)  # expect: INI004
        h = nn.tanh(h)
        h = nn.Dense(256, kernel_init=nn.initializers.zeros)(h)  # expect: INI004
        return nn.Dense(10)(h)


class SetupMlp(nn.Module):
    """Submodules built in `setup` and applied in `__call__`."""

    def setup(self):
        self.fc1 = nn.Dense(128, kernel_init=nn.initializers.zeros)  # expect: INI004
        self.fc2 = nn.Dense(10)

    def __call__(self, x):
        return self.fc2(nn.relu(self.fc1(x)))


mlp = nn.Sequential([
    nn.Dense(64, kernel_init=nn.initializers.zeros),  # expect: INI004
    nn.relu,
    nn.Dense(10),
])
