"""Haiku (issue 4): `w_init=` on Linear/Conv/Embed and `hk.get_parameter(..., init=...)`.

A Haiku initializer is called as `init(shape, dtype)`, so `jnp.zeros` itself is one (Haiku's own
ResNet uses it for its logits layer). `b_init`, `scale_init`, `offset_init` and `hk.get_state`
are never findings; Haiku's default bias is zeros.
"""
import haiku as hk
import jax
import jax.numpy as jnp


class Mlp(hk.Module):
    def __init__(self, hidden, num_classes, name=None):
        super().__init__(name=name)
        self.hidden = hidden
        self.num_classes = num_classes

    def __call__(self, x):
        x = hk.Linear(self.hidden, w_init=hk.initializers.Constant(0))(x)  # expect: INI004
        x = jax.nn.relu(x)
        x = hk.Linear(self.hidden, w_init=hk.initializers.Constant(0.5))(x)  # expect: INI002
        x = jax.nn.gelu(x)
        x = hk.Linear(self.hidden, w_init=jnp.zeros, b_init=jnp.zeros)(x)  # expect: INI001
        x = jnp.tanh(x)
        x = hk.Linear(self.hidden, b_init=hk.initializers.Constant(0.1))(x)
        return hk.Linear(self.num_classes, w_init=jnp.zeros, name="logits")(x)  # expect-strict: INI001


def conv_tower(images):
    x = hk.Conv2D(32, kernel_shape=3, w_init=hk.initializers.Constant(constant=0.0))(images)  # expect: INI001
    x = hk.BatchNorm(create_scale=True, create_offset=True, decay_rate=0.9, scale_init=jnp.zeros)(x, True)
    x = hk.Conv2D(32, kernel_shape=3, w_init=hk.initializers.VarianceScaling(2.0))(x)
    tokens = hk.Embed(vocab_size=1000, embed_dim=64, w_init=hk.initializers.Constant(0.0))(jnp.zeros((4,), jnp.int32))  # expect-strict: INI001
    return x, tokens


class ScaledLinear(hk.Module):
    def __call__(self, x):
        din = x.shape[-1]
        w = hk.get_parameter("w", [din, 128], init=jnp.zeros)  # expect: INI001
        b = hk.get_parameter("b", [128], init=jnp.zeros)
        scale = hk.get_parameter("scale", [], init=jnp.ones)
        counter = hk.get_state("counter", [], init=jnp.zeros)
        hk.set_state("counter", counter + 1)
        return scale * (x @ w + b)
