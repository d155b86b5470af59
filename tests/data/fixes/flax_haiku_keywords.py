"""Flax (linen, nnx) and Haiku layers whose kernel starts at zero behind a ReLU (INI004): the
``kernel_init=`` / ``w_init=`` keyword is removed; a bias keyword stays."""

import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
from flax import nnx


class MLP(nn.Module):
    hidden: int = 32

    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x))
        x = nn.relu(nn.Dense(self.hidden, kernel_init=nn.initializers.zeros, bias_init=nn.initializers.zeros)(x))
        return nn.Dense(2)(x)


class NnxMLP(nnx.Module):
    def __init__(self, din, dmid, rngs: nnx.Rngs):
        self.l1 = nnx.Linear(din, dmid, kernel_init=nnx.initializers.zeros, rngs=rngs)
        self.l2 = nnx.Linear(dmid, 2, rngs=rngs)

    def __call__(self, x):
        return self.l2(jax.nn.relu(self.l1(x)))


def haiku_forward(x):
    x = jax.nn.relu(hk.Linear(32, w_init=hk.initializers.Constant(0.0), b_init=jnp.zeros)(x))
    return hk.Linear(2)(x)
