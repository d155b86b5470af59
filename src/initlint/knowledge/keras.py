"""Keras knowledge as data: Keras 3, tf.keras, tf-keras (Keras 2) and TensorFlow's own
initializers.

Every Keras string and alias below was checked against Keras 3.15 itself
(``keras.initializers.get``, ``keras.src.initializers.ALL_OBJECTS_DICT``) and against tf-keras
2.x's source (``tf_keras/initializers/__init__.py``). Names are canonical: every Keras
namespace is mapped to ``keras.`` by :func:`canonical` before lookup.
"""

from __future__ import annotations

from typing import Optional

from initlint.knowledge.base import (
    ARG, ATTENTION, DENSE, EMBEDDING, ONE, RECURRENT, ZERO, ArgSpec, BiasState, Framework, LayerSpec, value_of,
)

_ZERO = value_of(ZERO)
_ONE = value_of(ONE)
#: keras.initializers.Constant(value=0.0): the default really is 0 (Keras 3 and tf-keras).
_KERAS_CONSTANT = value_of(ARG, ArgSpec(0, "value", 0.0))

#: Dotted-name prefixes that all mean "the Keras API": Keras 3 (and its ``keras.src``
#: internals), tf.keras (TF 2.16+ forwards it to Keras 3, older TF ships Keras 2), tf-keras
#: (Keras 2 as its own package) and Keras Core (the Keras 3 preview). Longest first.
KERAS_NAMESPACES = (
    "keras._tf_keras.keras.", "keras.src.", "keras.api.", "keras.", "keras_core.src.", "keras_core.",
    "tf_keras.src.", "tf_keras.", "tensorflow.python.keras.", "tensorflow.compat.v1.keras.",
    "tensorflow.compat.v2.keras.", "tensorflow.keras.",
)
#: Namespaces that are certainly Keras 2, whose string table is wider (see below).
KERAS2_NAMESPACES = ("tf_keras.", "tensorflow.python.keras.", "tensorflow.compat.v1.keras.")


def relative(qualname: str) -> Optional[str]:
    """``keras.src.layers.core.dense.Dense`` → ``layers.Dense``; None outside Keras."""
    for ns in KERAS_NAMESPACES:
        if qualname.startswith(ns):
            rest = qualname[len(ns):].split(".")
            if len(rest) >= 2:
                return f"{rest[0]}.{rest[-1]}"
            return rest[0]
    return None


def canonical(qualname: str) -> str:
    """Every Keras namespace as ``keras.``: ``tf.keras.layers.Dense`` → ``keras.layers.Dense``."""
    if qualname.startswith("tensorflow.initializers.") and qualname.rsplit(".", 1)[-1] in _KERAS_INITIALIZERS:
        return "keras.initializers." + qualname.rsplit(".", 1)[-1]  # TF 2 aliases tf.keras.initializers
    rel = relative(qualname)
    return f"keras.{rel}" if rel is not None else qualname


#: Classes and aliases under ``<keras>.initializers``: usable as a class
#: (``kernel_initializer=Zeros``: Keras instantiates it) or called. ``zero``/``one`` exist only
#: in Keras 2 (``globals().update(ALL_OBJECTS)``); listing them costs nothing in Keras 3.
_KERAS_INITIALIZERS = {
    "Zeros": _ZERO, "zeros": _ZERO, "zero": _ZERO,
    "Ones": _ONE, "ones": _ONE, "one": _ONE,
    "Constant": _KERAS_CONSTANT, "constant": _KERAS_CONSTANT,
}
INITIALIZERS = {f"keras.initializers.{n}": v for n, v in _KERAS_INITIALIZERS.items()}
#: TensorFlow's own initializers, which Keras layers accept as callables.
TF_INITIALIZERS = {
    f"tensorflow.{p}{n}": v
    for p in ("", "compat.v1.", "compat.v2.", "initializers.", "compat.v1.initializers.")
    for n, v in (("zeros_initializer", _ZERO), ("ones_initializer", _ONE),
                 ("constant_initializer", value_of(ARG, ArgSpec(0, "value", 0.0))))
}
#: ``keras.initializers.get(x)`` / ``deserialize(x)`` return what ``x`` names.
GETTERS = frozenset({"keras.initializers.get", "keras.initializers.deserialize"})

#: Strings ``keras.initializers.get`` accepts for a constant (Keras 3.15, verified by running
#: it): exact, case-sensitive names. Keras 3 rejects ``"constant"``/``"Constant"`` (KeyError
#: 'value': its Constant.from_config needs a value), ``"ZEROS"``, ``"Zero"``, ``"One"``.
KERAS3_STRINGS: dict[str, float] = {"zeros": 0.0, "zero": 0.0, "Zeros": 0.0, "ones": 1.0, "one": 1.0, "Ones": 1.0}
#: Keras 2 (tf-keras) also accepts these: its ``Constant()`` defaults to 0, so
#: ``kernel_initializer="constant"`` is a zero kernel there. Applied only when the layer or
#: ``add_weight`` call is known to come from a Keras 2 namespace.
KERAS2_STRINGS: dict[str, float] = {
    **KERAS3_STRINGS, "constant": 0.0, "Constant": 0.0, "ConstantV2": 0.0, "ZerosV2": 0.0, "OnesV2": 1.0,
}

#: Array factories: the body of ``lambda shape, dtype=None: tf.zeros(shape)`` (a Keras
#: initializer written inline).
ARRAY_FACTORIES = {
    **{f"{m}.zeros": _ZERO for m in ("tensorflow", "keras.ops", "numpy")},
    **{f"{m}.ones": _ONE for m in ("tensorflow", "keras.ops", "numpy")},
    **{f"{m}.full": value_of(ARG, ArgSpec(1, "fill_value")) for m in ("numpy", "keras.ops")},
    "tensorflow.fill": value_of(ARG, ArgSpec(1, "value")),
}

#: Keyword arguments that initialise a weight, in Keras layers and in any custom layer that
#: follows Keras's naming, with how the message names the tensor. ``bias_initializer``,
#: ``beta_initializer``, ``gamma_initializer`` and ``moving_*_initializer`` are absent on
#: purpose: those are meant to be constant.
KERNEL_KEYWORDS: dict[str, str] = {
    "kernel_initializer": "kernel",
    "recurrent_initializer": "recurrent kernel",
    "depthwise_initializer": "depthwise kernel",
    "pointwise_initializer": "pointwise kernel",
    "embeddings_initializer": "embedding table",
}

_ACT = ArgSpec(None, "activation")
_K_CONV = LayerSpec(DENSE, _ACT, width=ArgSpec(0, "filters"))
_K_SEPARABLE = LayerSpec(DENSE, _ACT, dead_keywords=frozenset({"depthwise_initializer", "pointwise_initializer"}),
                         width=ArgSpec(0, "filters"))
_K_DEPTHWISE = LayerSpec(DENSE, _ACT, dead_keywords=frozenset({"depthwise_initializer"}))

#: Keras layers (under any Keras namespace, ``layers.`` or ``keras.src.layers.*``).
LAYERS: dict[str, LayerSpec] = {f"keras.layers.{n}": spec for n, spec in {
    "Dense": LayerSpec(DENSE, ArgSpec(1, "activation"), width=ArgSpec(0, "units")),
    "EinsumDense": LayerSpec(DENSE, _ACT, bias_only_with="bias_axes", width=ArgSpec(1, "output_shape")),
    **{n: _K_CONV for n in (
        "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
        "Convolution2DTranspose", "Convolution3DTranspose")},
    **{n: _K_SEPARABLE for n in ("SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
                                  "SeparableConvolution2D")},
    **{n: _K_DEPTHWISE for n in ("DepthwiseConv1D", "DepthwiseConv2D")},
    # SimpleRNN: h_t = φ(W x_t + U h_{t-1} + b) with h_0 = 0, so a zero W and bias keep the
    # pre-activation at 0 for every step whatever U is.
    "SimpleRNN": LayerSpec(DENSE, _ACT, "tanh", width=ArgSpec(0, "units")),
    "SimpleRNNCell": LayerSpec(DENSE, _ACT, "tanh", width=ArgSpec(0, "units")),
    **{n: LayerSpec(RECURRENT, dead_keywords=frozenset(), width=ArgSpec(0, "units")) for n in (
        "LSTM", "GRU", "LSTMCell", "GRUCell", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")},
    "Embedding": LayerSpec(EMBEDDING, use_bias=None, bias_init=None, default_bias=BiasState.NONE,
                           dead_keywords=frozenset({"embeddings_initializer"}),
                           width=ArgSpec(1, "output_dim")),
    "MultiHeadAttention": LayerSpec(ATTENTION, dead_keywords=frozenset()),
    "GroupedQueryAttention": LayerSpec(ATTENTION, dead_keywords=frozenset()),
    "GroupQueryAttention": LayerSpec(ATTENTION, dead_keywords=frozenset()),
}.items()}

NORMS = frozenset(f"keras.layers.{n}" for n in (
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "RMSNormalization"))

#: Layers that pass a zero input on as zero (a chain of zero layers stays dead through them).
PASSTHROUGH = frozenset(f"keras.layers.{n}" for n in (
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout",
    "GaussianDropout", "Flatten", "Reshape", "Identity",
))
#: Containers whose elements run in sequence.
SEQUENTIAL = frozenset({"keras.Sequential", "keras.models.Sequential"})
#: Keras layers that are activations; ``Activation(x)`` takes the activation as argument 0.
ACTIVATION_LAYER = "keras.layers.Activation"

#: Activations by dotted name (after ``canonical``); the facts are in ``activations``.
ACTIVATION_NAMES: dict[str, str] = {
    "keras.activations.relu": "relu", "keras.layers.ReLU": "relu", "keras.ops.relu": "relu",
    "keras.activations.relu6": "relu6", "keras.ops.relu6": "relu6",
    "tensorflow.nn.relu": "relu", "tensorflow.nn.relu6": "relu6",
    "keras.activations.gelu": "gelu", "keras.activations.tanh": "tanh", "keras.activations.sigmoid": "sigmoid",
    "keras.activations.silu": "silu", "keras.activations.swish": "silu",
    "keras.activations.leaky_relu": "leaky relu", "keras.activations.elu": "elu",
    "keras.layers.LeakyReLU": "leaky relu", "keras.layers.ELU": "elu", "keras.layers.PReLU": "prelu",
    "keras.activations.selu": "selu", "keras.activations.celu": "celu", "keras.activations.softplus": "softplus",
    "keras.activations.softsign": "softsign", "keras.activations.mish": "mish",
    "keras.activations.hard_sigmoid": "hardsigmoid", "keras.activations.hard_silu": "hardswish",
    "keras.activations.hard_swish": "hardswish", "keras.activations.linear": "identity",
    "keras.activations.hard_shrink": "hard shrink", "keras.activations.soft_shrink": "soft shrink",
    "keras.activations.tanh_shrink": "tanh shrink", "keras.activations.hard_tanh": "hard tanh",
    "keras.activations.exponential": "exponential", "keras.activations.log_sigmoid": "log sigmoid",
    "keras.activations.sparse_plus": "sparse plus", "keras.activations.squareplus": "squareplus",
    "keras.activations.sparse_sigmoid": "sparse sigmoid", "keras.activations.softmax": "softmax",
    "keras.ops.leaky_relu": "leaky relu", "keras.ops.elu": "elu", "keras.ops.selu": "selu",
    "keras.ops.gelu": "gelu", "keras.ops.silu": "silu", "keras.ops.swish": "silu", "keras.ops.tanh": "tanh",
    "keras.ops.sigmoid": "sigmoid", "keras.ops.softplus": "softplus", "keras.ops.hard_shrink": "hard shrink",
    "keras.ops.soft_shrink": "soft shrink", "keras.ops.tanh_shrink": "tanh shrink", "keras.ops.softmax": "softmax",
    "tensorflow.nn.leaky_relu": "leaky relu", "tensorflow.nn.elu": "elu", "tensorflow.nn.selu": "selu",
    "tensorflow.nn.gelu": "gelu", "tensorflow.nn.silu": "silu", "tensorflow.nn.swish": "silu",
    "tensorflow.nn.sigmoid": "sigmoid", "tensorflow.sigmoid": "sigmoid", "tensorflow.nn.tanh": "tanh",
    "tensorflow.tanh": "tanh", "tensorflow.math.tanh": "tanh", "tensorflow.nn.softplus": "softplus",
    "tensorflow.nn.softsign": "softsign", "tensorflow.nn.softmax": "softmax",
}
#: ``activation="relu"``: the strings ``keras.activations.get`` accepts.
ACTIVATION_STRINGS: dict[str, str] = {
    "relu": "relu", "relu6": "relu6", "leaky_relu": "leaky relu", "elu": "elu", "selu": "selu",
    "gelu": "gelu", "silu": "silu", "swish": "silu", "mish": "mish", "hard_silu": "hardswish",
    "hard_swish": "hardswish", "tanh": "tanh", "softsign": "softsign", "sigmoid": "sigmoid",
    "hard_sigmoid": "hardsigmoid", "softplus": "softplus", "linear": "identity",
    "celu": "celu", "hard_shrink": "hard shrink", "soft_shrink": "soft shrink", "tanh_shrink": "tanh shrink",
    "hard_tanh": "hard tanh", "exponential": "exponential", "log_sigmoid": "log sigmoid",
    "sparse_plus": "sparse plus", "squareplus": "squareplus", "sparse_sigmoid": "sparse sigmoid",
}
#: ``layers.ReLU(negative_slope=0.1)`` is a leaky ReLU.
CONDITIONAL_ACTIVATIONS: dict[str, tuple] = {
    "keras.layers.ReLU": (ArgSpec(1, "negative_slope", 0.0), "== 0", "relu", "leaky relu"),
}

SPLIT_FUNCTIONS = frozenset({"keras.ops.split", "tensorflow.split"})

FRAMEWORK = Framework(
    name="keras",
    factories=ARRAY_FACTORIES,
    initializers=INITIALIZERS,
    initializer_factories={**INITIALIZERS, **TF_INITIALIZERS},
    kernel_keywords=KERNEL_KEYWORDS,
    bias_keywords=frozenset({"bias_initializer"}),
    parameter_makers={"add_weight": "initializer", "add_variable": "initializer", "Variable": "initializer"},
    layers=LAYERS,
    norms=NORMS,
    passthrough=PASSTHROUGH,
    sequential=SEQUENTIAL,
    model_builders=frozenset({"Sequential", "Model", "Functional"}),
    forward_methods=frozenset({"call", "__call__"}),
    constructor_methods=frozenset({"__init__", "build"}),
    activation_names=ACTIVATION_NAMES,
    activation_strings=ACTIVATION_STRINGS,
    conditional_activations=CONDITIONAL_ACTIVATIONS,
    split_functions=SPLIT_FUNCTIONS,
    string_spellings=KERAS2_STRINGS,
)
