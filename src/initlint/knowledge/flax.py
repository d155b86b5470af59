"""Flax (linen and nnx), JAX and Haiku knowledge as data.

Every Flax/JAX name below was checked against flax 0.12.8 (``flax/linen/__init__.py``,
``flax/linen/initializers.py``, ``flax/nnx/nn/initializers.py``) and every Haiku name against
``haiku/initializers.py``. Names are canonical: internal module paths are mapped to the
public ones by :func:`canonical` before lookup.
"""

from __future__ import annotations

from initlint.knowledge.base import (
    ARG, ATTENTION, DENSE, EMBEDDING, ONE, RECURRENT, ZERO, ArgSpec, BiasState, Framework, LayerSpec, value_of,
)

_ZERO = value_of(ZERO)
_ONE = value_of(ONE)

#: Flax and JAX initializer modules. ``jax.nn.initializers.zeros``/``ones`` are initializers
#: themselves (``init(key, shape, dtype)``); Flax re-exports them under linen, nnx and the
#: top level of linen, and adds the factories ``zeros_init()``/``ones_init()``.
INITIALIZER_MODULES = (
    "jax.nn.initializers", "jax._src.nn.initializers", "flax.linen.initializers",
    "flax.nnx.initializers", "flax.linen",
)
#: Used uncalled: ``kernel_init=nn.initializers.zeros``.
INITIALIZERS = {f"{m}.{n}": v for m in INITIALIZER_MODULES for n, v in (("zeros", _ZERO), ("ones", _ONE))}
#: Called to make an initializer: ``zeros_init()``, ``constant(0.)`` (its value is required);
#: Haiku's ``hk.initializers.Constant(c)``.
INITIALIZER_FACTORIES = {
    **{f"{m}.{n}": v for m in INITIALIZER_MODULES for n, v in (
        ("zeros_init", _ZERO), ("ones_init", _ONE), ("constant", value_of(ARG, ArgSpec(0, "value"))))},
    "haiku.initializers.Constant": value_of(ARG, ArgSpec(0, "constant")),
}
#: Haiku: an initializer is ``init(shape, dtype)``, so ``jnp.zeros``/``jnp.ones`` are valid
#: initializers there (haiku's own ResNet uses ``w_init=jnp.zeros`` for its logits layer),
#: through these keywords.
ARRAY_FUNCTIONS_AS_INITIALIZERS = {"jax.numpy.zeros": _ZERO, "jax.numpy.ones": _ONE}
HAIKU_INIT_KEYWORDS = frozenset({"w_init", "init"})

#: Array factories: the argument of ``nnx.Param(jnp.zeros((a, b)))``.
ARRAY_FACTORIES = {
    "jax.numpy.zeros": _ZERO, "jax.numpy.ones": _ONE, "numpy.zeros": _ZERO, "numpy.ones": _ONE,
    **{f"{m}.full": value_of(ARG, ArgSpec(1, "fill_value")) for m in ("jax.numpy", "numpy")},
}

#: Flax (linen, nnx) and Haiku keywords that initialise a weight. ``bias_init``,
#: ``scale_init``, ``b_init``, ``offset_init`` and nnx LoRA's ``b_initializer`` are absent on
#: purpose.
KERNEL_KEYWORDS: dict[str, str] = {
    "kernel_init": "kernel",
    "embedding_init": "embedding table",
    "recurrent_kernel_init": "recurrent kernel",
    "out_kernel_init": "output-projection kernel",
    "w_init": "weight",
}
#: Keywords that initialise only an output projection: zero there is the residual-branch idiom.
OUTPUT_KERNEL_KEYWORDS = frozenset({"out_kernel_init"})

_F_DENSE = LayerSpec(DENSE, use_bias="use_bias", bias_init="bias_init", dead_keywords=frozenset({"kernel_init"}),
                     width=ArgSpec(0, "features"))
_F_ATTENTION = LayerSpec(ATTENTION, use_bias="use_bias", bias_init="bias_init", dead_keywords=frozenset(),
                         out_kernel="out_kernel_init")
_H_DENSE = LayerSpec(DENSE, use_bias="with_bias", bias_init="b_init", dead_keywords=frozenset({"w_init"}),
                     width=ArgSpec(0, "output_size"))
_H_CONV = LayerSpec(DENSE, use_bias="with_bias", bias_init="b_init", dead_keywords=frozenset({"w_init"}),
                    width=ArgSpec(0, "output_channels"))
_NO_BIAS_EMBED = LayerSpec(EMBEDDING, use_bias=None, bias_init=None, default_bias=BiasState.NONE,
                           dead_keywords=frozenset({"embedding_init", "w_init"}))

#: Flax linen / nnx layers (``flax.linen.Dense``, ``flax.nnx.Linear``...; Flax's default bias
#: is ``zeros_init()``) and Haiku layers (``hk.Linear``: ``b_init`` defaults to zeros).
LAYERS: dict[str, LayerSpec] = {
    **{f"flax.linen.{n}": _F_DENSE for n in ("Dense", "DenseGeneral", "Conv", "ConvTranspose", "ConvLocal", "Einsum")},
    **{f"flax.nnx.{n}": LayerSpec(DENSE, use_bias="use_bias", bias_init="bias_init",
                                  dead_keywords=frozenset({"kernel_init"}), width=ArgSpec(1, "out_features"))
       for n in ("Linear", "LinearGeneral", "Conv", "ConvTranspose", "Einsum")},
    **{f"flax.linen.{n}": _F_ATTENTION for n in ("MultiHeadDotProductAttention", "MultiHeadAttention", "SelfAttention")},
    "flax.nnx.MultiHeadAttention": _F_ATTENTION,
    "flax.linen.Embed": _NO_BIAS_EMBED,
    "flax.nnx.Embed": _NO_BIAS_EMBED,
    **{f"flax.linen.{n}": LayerSpec(RECURRENT, dead_keywords=frozenset()) for n in (
        "LSTMCell", "OptimizedLSTMCell", "GRUCell", "SimpleCell", "MGUCell", "ConvLSTMCell")},
    **{f"flax.nnx.{n}": LayerSpec(RECURRENT, dead_keywords=frozenset()) for n in (
        "LSTMCell", "OptimizedLSTMCell", "GRUCell", "SimpleCell")},
    "haiku.Linear": _H_DENSE,
    **{f"haiku.{n}": _H_CONV for n in (
        "Conv1D", "Conv2D", "Conv3D", "ConvND", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "DepthwiseConv1D", "DepthwiseConv2D")},
    "haiku.Embed": _NO_BIAS_EMBED,
}
#: Internal module paths that the public names above re-export (``flax.linen.linear.Dense``).
MODULE_ALIASES: dict[str, str] = {
    "flax.linen.linear.": "flax.linen.", "flax.linen.attention.": "flax.linen.",
    "flax.linen.recurrent.": "flax.linen.", "flax.linen.activation.": "flax.linen.",
    "flax.linen.combinators.": "flax.linen.", "flax.linen.stochastic.": "flax.linen.",
    "flax.nnx.nn.linear.": "flax.nnx.", "flax.nnx.nn.attention.": "flax.nnx.",
    "flax.nnx.nn.recurrent.": "flax.nnx.", "flax.nnx.nn.activations.": "flax.nnx.",
    "flax.nnx.nn.stochastic.": "flax.nnx.", "flax.nnx.nn.initializers.": "flax.nnx.initializers.",
    "flax.nnx.helpers.": "flax.nnx.", "flax.nnx.variablelib.": "flax.nnx.",
    "haiku._src.basic.": "haiku.", "haiku._src.conv.": "haiku.", "haiku._src.embed.": "haiku.",
    "haiku._src.initializers.": "haiku.initializers.", "haiku._src.base.": "haiku.",
}


def canonical(qualname: str) -> str:
    """``flax.linen.linear.Dense`` → ``flax.linen.Dense``."""
    for internal, public in MODULE_ALIASES.items():
        if qualname.startswith(internal):
            return public + qualname[len(internal):]
    return qualname


NORMS = frozenset({
    "flax.linen.BatchNorm", "flax.linen.LayerNorm", "flax.linen.GroupNorm", "flax.linen.RMSNorm",
    "flax.nnx.BatchNorm", "flax.nnx.LayerNorm", "flax.nnx.GroupNorm", "flax.nnx.RMSNorm",
    "haiku.BatchNorm", "haiku.LayerNorm", "haiku.GroupNorm", "haiku.RMSNorm",
})
PASSTHROUGH = frozenset({"flax.linen.Dropout", "flax.nnx.Dropout", "haiku.Flatten", "haiku.Reshape"})
SEQUENTIAL = frozenset({"flax.linen.Sequential", "flax.nnx.Sequential", "haiku.Sequential"})

#: Custom parameters: linen's ``self.param(name, init_fn, shape)``, Haiku's
#: ``hk.get_parameter(name, shape, dtype, init)``, nnx's ``nnx.Param(value)``.
PARAMETER_MAKERS = {"param": "init_fn", "get_parameter": "init", "Param": None}

#: JAX, and the Flax linen / nnx re-exports of jax.nn.
ACTIVATION_NAMES: dict[str, str] = {
    **{f"{m}.{n}": k for m in ("jax.nn", "flax.linen", "flax.nnx") for n, k in (
        ("relu", "relu"), ("relu6", "relu6"), ("leaky_relu", "leaky relu"), ("elu", "elu"), ("celu", "celu"),
        ("selu", "selu"), ("gelu", "gelu"), ("silu", "silu"), ("swish", "silu"), ("mish", "mish"),
        ("hard_swish", "hardswish"), ("hard_silu", "hardswish"), ("hard_sigmoid", "hardsigmoid"),
        ("hard_tanh", "hard tanh"), ("tanh", "tanh"), ("sigmoid", "sigmoid"), ("softplus", "softplus"),
        ("soft_sign", "softsign"), ("log_sigmoid", "log sigmoid"), ("squareplus", "squareplus"),
        ("sparse_plus", "sparse plus"), ("sparse_sigmoid", "sparse sigmoid"), ("softmax", "softmax"))},
    "jax.numpy.tanh": "tanh", "flax.linen.PReLU": "prelu", "flax.nnx.PReLU": "prelu",
}

#: Functions that split a layer's output into named chunks: ``shift, scale, gate =
#: jnp.split(c, 3, axis=-1)`` reads as an adaLN-Zero modulation.
SPLIT_FUNCTIONS = frozenset({"jax.numpy.split", "jax.numpy.array_split", "numpy.split", "numpy.array_split"})

#: JAX's functional update of a whole array, ``w.at[...].set(0.0)``: (indexer, method).
FUNCTIONAL_UPDATE = ("at", "set")

FRAMEWORK = Framework(
    name="flax",
    factories=ARRAY_FACTORIES,
    initializers=INITIALIZERS,
    initializer_factories=INITIALIZER_FACTORIES,
    kernel_keywords=KERNEL_KEYWORDS,
    bias_keywords=frozenset({"bias_init", "b_init"}),
    parameter_makers=PARAMETER_MAKERS,
    layers=LAYERS,
    norms=NORMS,
    passthrough=PASSTHROUGH,
    sequential=SEQUENTIAL,
    forward_methods=frozenset({"__call__"}),
    constructor_methods=frozenset({"setup", "__init__"}),
    activation_names=ACTIVATION_NAMES,
    split_functions=SPLIT_FUNCTIONS,
    gate_patterns=(r"\.\s*at\s*\[",),
)
