"""Forms the ast reduction must keep for the Keras and Flax rules: init values in plain
assignments, init keywords held in a dict (big_vision's head_zeroinit), tuple targets."""
import flax.linen as nn
import jax.numpy as jnp
import keras
from keras import layers

KERNEL_INIT = "zeros"


class ViTHead(nn.Module):
    num_classes: int
    head_zeroinit: bool = True

    @nn.compact
    def __call__(self, x):
        kw = {"kernel_init": nn.initializers.zeros} if self.head_zeroinit else {}
        return nn.Dense(self.num_classes, **kw)(x)  # expect-strict: INI001


class Projector(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x):
        x = nn.Dense(self.features, kernel_init=nn.initializers.zeros)(x)  # expect: INI004
        return nn.relu(x)


def build_keras_block(units):
    init = KERNEL_INIT
    return layers.Dense(units, kernel_initializer=init)  # expect: INI001


class GaussianPolicy(nn.Module):
    """dopamine's continuous actor: the log-scale head sees a constant input, so zero is its
    starting value, and the comment above says so (the head's output is named like a norm's
    scale: a layer's output, not a weight)."""

    action_dim: int

    @nn.compact
    def __call__(self, x):
        loc = nn.Dense(self.action_dim, kernel_init=nn.initializers.orthogonal(0.01))(x)
        # log_scale is state independent and initialized to zero.
        log_scale = nn.Dense(  # expect-strict: INI001
            features=self.action_dim, kernel_init=nn.initializers.zeros
        )(jnp.ones_like(x))
        return loc, jnp.exp(log_scale)
