"""Activation facts as data: φ(0) and φ'(0), as PyTorch, TensorFlow and JAX define them.

φ'(0) = 0 means a unit whose pre-activation is exactly 0 gets no gradient: a zero weight
with a zero (or absent) bias feeding such an activation is dead for good (INI004).
φ(0) decides whether two chained zero layers are dead (φ(0) = 0) or merely symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Activation:
    name: str
    phi0: float  # φ(0)
    dphi0: float  # φ'(0) as the frameworks' autograd computes it

    @property
    def kills_gradient_at_zero(self) -> bool:
        return self.dphi0 == 0.0


_FACTS = (
    Activation("relu", 0.0, 0.0),
    Activation("relu6", 0.0, 0.0),
    Activation("hardtanh(0, ·)", 0.0, 0.0),  # hardtanh with min_val=0: a clipped ReLU
    Activation("threshold", 0.0, 0.0),  # threshold(x, t >= 0, 0)
    Activation("squared relu", 0.0, 0.0),
    Activation("leaky relu", 0.0, 1.0),  # autograd takes the positive slope at exactly 0
    Activation("prelu", 0.0, 1.0),
    Activation("elu", 0.0, 1.0),
    Activation("selu", 0.0, 1.0507),
    Activation("celu", 0.0, 1.0),
    Activation("gelu", 0.0, 0.5),
    Activation("silu", 0.0, 0.5),
    Activation("mish", 0.0, 0.6),
    Activation("hardswish", 0.0, 0.5),
    Activation("tanh", 0.0, 1.0),
    Activation("softsign", 0.0, 1.0),
    Activation("sigmoid", 0.5, 0.25),
    Activation("hardsigmoid", 0.5, 1.0 / 6.0),
    Activation("softplus", 0.6931, 0.5),
    Activation("identity", 0.0, 1.0),
    # Keras 3 / JAX (values measured with keras.activations under the torch backend):
    # the shrink functions are flat around 0, so a zero pre-activation gets no gradient.
    Activation("hard shrink", 0.0, 0.0),
    Activation("soft shrink", 0.0, 0.0),
    Activation("tanh shrink", 0.0, 0.0),
    Activation("hard tanh", 0.0, 1.0),
    Activation("exponential", 1.0, 1.0),
    Activation("log sigmoid", -0.6931, 0.5),
    Activation("sparse plus", 0.25, 0.5),
    Activation("squareplus", 1.0, 0.5),
    Activation("sparse sigmoid", 0.5, 0.5),
)
ACTIVATIONS: dict[str, Activation] = {a.name: a for a in _FACTS}

#: Dotted names (classes, functions) and Keras strings, mapped to the facts above.
ACTIVATION_NAMES: dict[str, str] = {}
for _name, _key in (
    # PyTorch modules and functions
    ("torch.nn.ReLU", "relu"), ("torch.nn.functional.relu", "relu"), ("torch.relu", "relu"),
    ("torch.nn.functional.relu_", "relu"), ("torch.relu_", "relu"), ("torch.clamp_min", "relu"),
    ("torch.nn.ReLU6", "relu6"), ("torch.nn.functional.relu6", "relu6"),
    ("torch.nn.Threshold", "threshold"), ("torch.nn.functional.threshold", "threshold"),
    ("torch.nn.LeakyReLU", "leaky relu"), ("torch.nn.functional.leaky_relu", "leaky relu"),
    ("torch.nn.PReLU", "prelu"), ("torch.nn.ELU", "elu"), ("torch.nn.functional.elu", "elu"),
    ("torch.nn.SELU", "selu"), ("torch.nn.functional.selu", "selu"), ("torch.nn.CELU", "celu"),
    ("torch.nn.GELU", "gelu"), ("torch.nn.functional.gelu", "gelu"),
    ("torch.nn.SiLU", "silu"), ("torch.nn.functional.silu", "silu"), ("torch.nn.Mish", "mish"),
    ("torch.nn.functional.mish", "mish"), ("torch.nn.Hardswish", "hardswish"),
    ("torch.nn.functional.hardswish", "hardswish"), ("torch.nn.Tanh", "tanh"), ("torch.tanh", "tanh"),
    ("torch.nn.functional.tanh", "tanh"), ("torch.nn.Softsign", "softsign"),
    ("torch.nn.Sigmoid", "sigmoid"), ("torch.sigmoid", "sigmoid"), ("torch.nn.functional.sigmoid", "sigmoid"),
    ("torch.nn.Hardsigmoid", "hardsigmoid"), ("torch.nn.Softplus", "softplus"),
    ("torch.nn.functional.softplus", "softplus"), ("torch.nn.Identity", "identity"),
    # Keras / TensorFlow
    ("keras.activations.relu", "relu"), ("keras.layers.ReLU", "relu"), ("keras.ops.relu", "relu"),
    ("keras.activations.relu6", "relu6"), ("keras.ops.relu6", "relu6"),
    ("tensorflow.nn.relu", "relu"), ("tensorflow.nn.relu6", "relu6"), ("tensorflow.keras.activations.relu", "relu"),
    ("tensorflow.keras.layers.ReLU", "relu"), ("keras.activations.gelu", "gelu"),
    ("keras.activations.tanh", "tanh"), ("keras.activations.sigmoid", "sigmoid"),
    ("keras.activations.silu", "silu"), ("keras.activations.swish", "silu"),
    ("keras.activations.leaky_relu", "leaky relu"), ("keras.activations.elu", "elu"),
    # JAX / Flax
    ("jax.nn.relu", "relu"), ("jax.nn.relu6", "relu6"), ("flax.linen.relu", "relu"), ("flax.nnx.relu", "relu"),
    ("flax.linen.activation.relu", "relu"), ("flax.linen.relu6", "relu6"), ("flax.nnx.relu6", "relu6"),
    ("jax.nn.gelu", "gelu"), ("flax.linen.gelu", "gelu"), ("flax.nnx.gelu", "gelu"), ("jax.nn.silu", "silu"),
    ("flax.linen.silu", "silu"), ("flax.linen.swish", "silu"), ("jax.nn.tanh", "tanh"), ("jax.numpy.tanh", "tanh"),
    ("flax.linen.tanh", "tanh"), ("jax.nn.sigmoid", "sigmoid"), ("flax.linen.sigmoid", "sigmoid"),
    ("jax.nn.leaky_relu", "leaky relu"), ("flax.linen.leaky_relu", "leaky relu"), ("jax.nn.elu", "elu"),
    # Keras layers, functions and ops (keras_events maps every Keras namespace to `keras.`)
    ("keras.layers.LeakyReLU", "leaky relu"), ("keras.layers.ELU", "elu"), ("keras.layers.PReLU", "prelu"),
    ("keras.activations.selu", "selu"), ("keras.activations.celu", "celu"), ("keras.activations.softplus", "softplus"),
    ("keras.activations.softsign", "softsign"), ("keras.activations.mish", "mish"),
    ("keras.activations.hard_sigmoid", "hardsigmoid"), ("keras.activations.hard_silu", "hardswish"),
    ("keras.activations.hard_swish", "hardswish"), ("keras.activations.linear", "identity"),
    ("keras.activations.hard_shrink", "hard shrink"), ("keras.activations.soft_shrink", "soft shrink"),
    ("keras.activations.tanh_shrink", "tanh shrink"), ("keras.activations.hard_tanh", "hard tanh"),
    ("keras.activations.exponential", "exponential"), ("keras.activations.log_sigmoid", "log sigmoid"),
    ("keras.activations.sparse_plus", "sparse plus"), ("keras.activations.squareplus", "squareplus"),
    ("keras.activations.sparse_sigmoid", "sparse sigmoid"),
    ("keras.ops.leaky_relu", "leaky relu"), ("keras.ops.elu", "elu"), ("keras.ops.selu", "selu"),
    ("keras.ops.gelu", "gelu"), ("keras.ops.silu", "silu"), ("keras.ops.swish", "silu"), ("keras.ops.tanh", "tanh"),
    ("keras.ops.sigmoid", "sigmoid"), ("keras.ops.softplus", "softplus"), ("keras.ops.hard_shrink", "hard shrink"),
    ("keras.ops.soft_shrink", "soft shrink"), ("keras.ops.tanh_shrink", "tanh shrink"),
    ("tensorflow.nn.leaky_relu", "leaky relu"), ("tensorflow.nn.elu", "elu"), ("tensorflow.nn.selu", "selu"),
    ("tensorflow.nn.gelu", "gelu"), ("tensorflow.nn.silu", "silu"), ("tensorflow.nn.swish", "silu"),
    ("tensorflow.nn.sigmoid", "sigmoid"), ("tensorflow.sigmoid", "sigmoid"), ("tensorflow.nn.tanh", "tanh"),
    ("tensorflow.tanh", "tanh"), ("tensorflow.math.tanh", "tanh"), ("tensorflow.nn.softplus", "softplus"),
    ("tensorflow.nn.softsign", "softsign"),
    # JAX, and the Flax linen / nnx re-exports of jax.nn
    *((f"{m}.{n}", k) for m in ("jax.nn", "flax.linen", "flax.nnx") for n, k in (
        ("relu", "relu"), ("relu6", "relu6"), ("leaky_relu", "leaky relu"), ("elu", "elu"), ("celu", "celu"),
        ("selu", "selu"), ("gelu", "gelu"), ("silu", "silu"), ("swish", "silu"), ("mish", "mish"),
        ("hard_swish", "hardswish"), ("hard_silu", "hardswish"), ("hard_sigmoid", "hardsigmoid"),
        ("hard_tanh", "hard tanh"), ("tanh", "tanh"), ("sigmoid", "sigmoid"), ("softplus", "softplus"),
        ("soft_sign", "softsign"), ("log_sigmoid", "log sigmoid"), ("squareplus", "squareplus"),
        ("sparse_plus", "sparse plus"), ("sparse_sigmoid", "sparse sigmoid"))),
    ("flax.linen.PReLU", "prelu"), ("flax.nnx.PReLU", "prelu"),
):
    ACTIVATION_NAMES[_name] = _key

#: Keras activation strings (``activation="relu"``), as keras.activations.get accepts them.
KERAS_ACTIVATION_STRINGS: dict[str, str] = {
    "relu": "relu", "relu6": "relu6", "leaky_relu": "leaky relu", "elu": "elu", "selu": "selu",
    "gelu": "gelu", "silu": "silu", "swish": "silu", "mish": "mish", "hard_silu": "hardswish",
    "hard_swish": "hardswish", "tanh": "tanh", "softsign": "softsign", "sigmoid": "sigmoid",
    "hard_sigmoid": "hardsigmoid", "softplus": "softplus", "linear": "identity",
    "celu": "celu", "hard_shrink": "hard shrink", "soft_shrink": "soft shrink", "tanh_shrink": "tanh shrink",
    "hard_tanh": "hard tanh", "exponential": "exponential", "log_sigmoid": "log sigmoid",
    "sparse_plus": "sparse plus", "squareplus": "squareplus", "sparse_sigmoid": "sparse sigmoid",
}


def lookup(qualname: str) -> Optional[Activation]:
    key = ACTIVATION_NAMES.get(qualname)
    return ACTIVATIONS[key] if key else None
