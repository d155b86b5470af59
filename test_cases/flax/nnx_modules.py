"""Flax nnx: layers built in `__init__`, parameters made with `nnx.Param`, and the
activations applied in `__call__` (issue 4). nnx's default bias is zeros too.
"""
import jax
import jax.numpy as jnp
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dmid, dout, *, rngs: nnx.Rngs):
        # zero kernel, zero bias, then ReLU in __call__: dead
        self.linear1 = nnx.Linear(din, dmid, kernel_init=nnx.initializers.zeros, rngs=rngs)  # expect: INI004
        # its input is relu(0) from the dead layer before it, for good: dead too
        self.linear2 = nnx.Linear(dmid, dmid, kernel_init=nnx.initializers.zeros_init(), rngs=rngs)  # expect: INI004
        self.linear3 = nnx.Linear(dmid, dout, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.linear1(x))
        x = nnx.gelu(self.linear2(x))
        return self.linear3(x)


class ConvNet(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.conv1 = nnx.Conv(3, 32, kernel_size=(3, 3), kernel_init=nnx.initializers.constant(0.1), rngs=rngs)  # expect: INI002
        self.conv2 = nnx.Conv(32, 64, kernel_size=(3, 3), kernel_init=nnx.initializers.zeros, rngs=rngs)  # expect: INI004
        self.embed = nnx.Embed(1000, 64, embedding_init=nnx.initializers.zeros, rngs=rngs)  # expect-strict: INI001
        self.proj = nnx.LinearGeneral(64, (8, 8), kernel_init=nnx.initializers.ones, rngs=rngs)  # expect: INI002
        self.attn = nnx.MultiHeadAttention(num_heads=8, in_features=64, kernel_init=nnx.initializers.zeros,  # expect: INI004
                                           decode=False, rngs=rngs)
        self.norm = nnx.LayerNorm(64, scale_init=nnx.initializers.zeros, rngs=rngs)
        self.head = nnx.Linear(64, 10, bias_init=nnx.initializers.zeros, rngs=rngs)

    def __call__(self, x):
        x = jax.nn.relu(self.conv1(x))
        h = self.conv2(x)
        h = nnx.relu(h)
        return self.head(self.norm(h.mean(axis=(1, 2))))


class LinearFromScratch(nnx.Module):
    """The nnx basics tutorial's custom Linear, with the inits a user might try."""

    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs):
        self.w = nnx.Param(jnp.zeros((din, dout)))  # expect: INI001
        self.b = nnx.Param(jnp.zeros((dout,)))
        self.v = nnx.Param(jnp.ones((din, dout)))  # expect: INI002
        self.u = nnx.Param(nnx.initializers.zeros(rngs.params(), (din, dout)))  # expect: INI001
        self.k = nnx.Param(nnx.initializers.lecun_normal()(rngs.params(), (din, dout)))
        self.scale = nnx.Param(jnp.ones((dout,)))
        self.count = nnx.BatchStat(jnp.zeros((), jnp.uint32))

    def __call__(self, x):
        return x @ (self.w + self.v + self.u + self.k) + self.b


def make_stack(rngs):
    return nnx.Sequential(
        nnx.Linear(64, 128, kernel_init=nnx.initializers.zeros, rngs=rngs),  # expect: INI004
        nnx.relu,
        nnx.Linear(128, 10, rngs=rngs),
    )
