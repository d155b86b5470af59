"""Keras, Flax, JAX and Haiku API knowledge as data (issue 4).

Adding a layer, an initializer spelling or a namespace is a new row here, not a new branch in
``layer_engine``. Every Keras string and alias below was checked against
Keras 3.15 itself (``keras.initializers.get``, ``keras.src.initializers.ALL_OBJECTS_DICT``)
and against tf-keras 2.x's source (``tf_keras/initializers/__init__.py``); every Flax/JAX name
against flax 0.12.8 (``flax/linen/__init__.py``, ``flax/linen/initializers.py``,
``flax/nnx/nn/initializers.py``) and every Haiku name against ``haiku/initializers.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from initlint.static.apis import ARG, ONE, ZERO, ArgSpec

# -- initializer values --------------------------------------------------------------------


@dataclass(frozen=True)
class InitValue:
    """What an initializer produces: ``ZERO``, ``ONE`` or ``ARG`` (a constant read from
    ``value_arg``, with its default when the argument is absent)."""

    kind: str
    value_arg: Optional[ArgSpec] = None


_ZERO = InitValue(ZERO)
_ONE = InitValue(ONE)
#: keras.initializers.Constant(value=0.0): the default really is 0 (Keras 3 and tf-keras).
_KERAS_CONSTANT = InitValue(ARG, ArgSpec(0, "value", 0.0))

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

#: Classes and aliases under ``<keras>.initializers`` (and ``keras.src.initializers.*``):
#: usable as a class (``kernel_initializer=Zeros``: Keras instantiates it) or called.
#: ``zero``/``one`` exist only in Keras 2 (``globals().update(ALL_OBJECTS)``); in Keras 3
#: they are absent, so code using them does not run and listing them costs nothing.
KERAS_INITIALIZERS: dict[str, InitValue] = {
    "Zeros": _ZERO, "zeros": _ZERO, "zero": _ZERO,
    "Ones": _ONE, "ones": _ONE, "one": _ONE,
    "Constant": _KERAS_CONSTANT, "constant": _KERAS_CONSTANT,
}
#: TensorFlow's own initializers, which Keras layers accept as callables.
TF_INITIALIZERS: dict[str, InitValue] = {
    f"tensorflow.{p}{n}": v
    for p in ("", "compat.v1.", "compat.v2.", "initializers.", "compat.v1.initializers.")
    for n, v in (("zeros_initializer", _ZERO), ("ones_initializer", _ONE),
                 ("constant_initializer", InitValue(ARG, ArgSpec(0, "value", 0.0))))
}
#: ``keras.initializers.get(x)`` / ``deserialize(x)`` return what ``x`` names.
KERAS_GETTERS = frozenset({"initializers.get", "initializers.deserialize"})

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

#: Flax and JAX initializer modules. ``jax.nn.initializers.zeros``/``ones`` are initializers
#: themselves (``init(key, shape, dtype)``); Flax re-exports them under linen, nnx and the
#: top level of linen, and adds the factories ``zeros_init()``/``ones_init()``.
FLAX_INITIALIZER_MODULES = (
    "jax.nn.initializers", "jax._src.nn.initializers", "flax.linen.initializers",
    "flax.nnx.initializers", "flax.nnx.nn.initializers", "flax.linen",
)
#: Used uncalled: ``kernel_init=nn.initializers.zeros``.
FLAX_INITIALIZERS: dict[str, InitValue] = {"zeros": _ZERO, "ones": _ONE}
#: Called to make an initializer: ``zeros_init()``, ``constant(0.)`` (its value is required).
FLAX_FACTORIES: dict[str, InitValue] = {
    "zeros_init": _ZERO, "ones_init": _ONE, "constant": InitValue(ARG, ArgSpec(0, "value")),
}
#: Haiku: ``hk.initializers.Constant(c)``; an initializer is ``init(shape, dtype)``, so
#: ``jnp.zeros``/``jnp.ones`` are valid initializers there (haiku's own ResNet uses
#: ``w_init=jnp.zeros`` for its logits layer).
HAIKU_FACTORIES: dict[str, InitValue] = {
    "haiku.initializers.Constant": InitValue(ARG, ArgSpec(0, "constant")),
    "haiku._src.initializers.Constant": InitValue(ARG, ArgSpec(0, "constant")),
}
ARRAY_FUNCTIONS_AS_INITIALIZERS: dict[str, InitValue] = {"jax.numpy.zeros": _ZERO, "jax.numpy.ones": _ONE}

#: Array factories: the body of ``lambda shape, dtype=None: tf.zeros(shape)`` (a Keras
#: initializer), the argument of ``nnx.Param(jnp.zeros((a, b)))``.
ARRAY_FACTORIES: dict[str, InitValue] = {
    **{f"{m}.zeros": _ZERO for m in ("tensorflow", "keras.ops", "jax.numpy", "numpy")},
    **{f"{m}.ones": _ONE for m in ("tensorflow", "keras.ops", "jax.numpy", "numpy")},
    **{f"{m}.full": InitValue(ARG, ArgSpec(1, "fill_value")) for m in ("jax.numpy", "numpy", "keras.ops")},
    "tensorflow.fill": InitValue(ARG, ArgSpec(1, "value")),
}

# -- where initializers go -------------------------------------------------------------------

#: Keyword arguments that initialise a weight, in Keras layers and in any custom layer that
#: follows Keras's naming, with how the message names the tensor. ``bias_initializer``,
#: ``beta_initializer``, ``gamma_initializer`` and ``moving_*_initializer`` are absent on
#: purpose: those are meant to be constant.
KERAS_KERNEL_KEYWORDS: dict[str, str] = {
    "kernel_initializer": "kernel",
    "recurrent_initializer": "recurrent kernel",
    "depthwise_initializer": "depthwise kernel",
    "pointwise_initializer": "pointwise kernel",
    "embeddings_initializer": "embedding table",
}
#: Flax (linen, nnx) and Haiku keywords that initialise a weight. ``bias_init``,
#: ``scale_init``, ``b_init``, ``offset_init`` and nnx LoRA's ``b_initializer`` are absent on
#: purpose.
FLAX_KERNEL_KEYWORDS: dict[str, str] = {
    "kernel_init": "kernel",
    "embedding_init": "embedding table",
    "recurrent_kernel_init": "recurrent kernel",
    "out_kernel_init": "output-projection kernel",
    "w_init": "weight",
}
#: Keywords that initialise only an output projection: zero there is the residual-branch idiom.
OUTPUT_KERNEL_KEYWORDS = frozenset({"out_kernel_init"})

# -- layers ----------------------------------------------------------------------------------

DENSE, ATTENTION, EMBEDDING, RECURRENT = "dense", "attention", "embedding", "recurrent"


@dataclass(frozen=True)
class LayerSpec:
    """How a layer uses its kernel: ``kind`` (``DENSE``: φ(W x + b); ``ATTENTION``: one
    initializer for the q/k/v/output projections; ``EMBEDDING``; ``RECURRENT``), its activation
    argument and default, the keywords that say whether it has a bias and how it is initialised,
    and which of its kernel keywords feed the activation directly."""

    kind: str
    activation: Optional[ArgSpec] = None
    default_activation: Optional[str] = None  # a Keras activation string
    use_bias: Optional[str] = "use_bias"
    bias_init: Optional[str] = "bias_initializer"
    #: The bias exists only when this keyword is given (EinsumDense's ``bias_axes``).
    bias_only_with: Optional[str] = None
    dead_keywords: frozenset = frozenset({"kernel_initializer"})
    #: Keyword that gives the output projection its own initializer (Flax attention).
    out_kernel: Optional[str] = None


_ACT = ArgSpec(None, "activation")
_K_CONV = LayerSpec(DENSE, _ACT)
_K_SEPARABLE = LayerSpec(DENSE, _ACT, dead_keywords=frozenset({"depthwise_initializer", "pointwise_initializer"}))
_K_DEPTHWISE = LayerSpec(DENSE, _ACT, dead_keywords=frozenset({"depthwise_initializer"}))

#: Keras layers by class name (under any Keras namespace, ``layers.`` or ``keras.src.layers.*``).
KERAS_LAYERS: dict[str, LayerSpec] = {
    "Dense": LayerSpec(DENSE, ArgSpec(1, "activation")),
    "EinsumDense": LayerSpec(DENSE, _ACT, bias_only_with="bias_axes"),
    **{n: _K_CONV for n in (
        "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
        "Convolution2DTranspose", "Convolution3DTranspose")},
    **{n: _K_SEPARABLE for n in ("SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
                                  "SeparableConvolution2D")},
    **{n: _K_DEPTHWISE for n in ("DepthwiseConv1D", "DepthwiseConv2D")},
    # SimpleRNN: h_t = φ(W x_t + U h_{t-1} + b) with h_0 = 0, so a zero W and bias keep the
    # pre-activation at 0 for every step whatever U is.
    "SimpleRNN": LayerSpec(DENSE, _ACT, "tanh"), "SimpleRNNCell": LayerSpec(DENSE, _ACT, "tanh"),
    **{n: LayerSpec(RECURRENT, dead_keywords=frozenset()) for n in (
        "LSTM", "GRU", "LSTMCell", "GRUCell", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")},
    "Embedding": LayerSpec(EMBEDDING, use_bias=None, bias_init=None, dead_keywords=frozenset()),
    "MultiHeadAttention": LayerSpec(ATTENTION, dead_keywords=frozenset()),
    "GroupedQueryAttention": LayerSpec(ATTENTION, dead_keywords=frozenset()),
    "GroupQueryAttention": LayerSpec(ATTENTION, dead_keywords=frozenset()),
}

_F_DENSE = LayerSpec(DENSE, use_bias="use_bias", bias_init="bias_init", dead_keywords=frozenset({"kernel_init"}))
_F_ATTENTION = LayerSpec(ATTENTION, use_bias="use_bias", bias_init="bias_init", dead_keywords=frozenset(),
                         out_kernel="out_kernel_init")
_H_DENSE = LayerSpec(DENSE, use_bias="with_bias", bias_init="b_init", dead_keywords=frozenset({"w_init"}))

#: Flax linen / nnx layers (``flax.linen.Dense``, ``flax.nnx.Linear``...; Flax's default bias
#: is ``zeros_init()``) and Haiku layers (``hk.Linear``: ``b_init`` defaults to zeros).
FLAX_LAYERS: dict[str, LayerSpec] = {
    **{f"flax.linen.{n}": _F_DENSE for n in ("Dense", "DenseGeneral", "Conv", "ConvTranspose", "ConvLocal", "Einsum")},
    **{f"flax.nnx.{n}": _F_DENSE for n in ("Linear", "LinearGeneral", "Conv", "ConvTranspose", "Einsum")},
    **{f"flax.linen.{n}": _F_ATTENTION for n in ("MultiHeadDotProductAttention", "MultiHeadAttention", "SelfAttention")},
    "flax.nnx.MultiHeadAttention": _F_ATTENTION,
    "flax.linen.Embed": LayerSpec(EMBEDDING, use_bias=None, bias_init=None, dead_keywords=frozenset()),
    "flax.nnx.Embed": LayerSpec(EMBEDDING, use_bias=None, bias_init=None, dead_keywords=frozenset()),
    **{f"flax.linen.{n}": LayerSpec(RECURRENT, dead_keywords=frozenset()) for n in (
        "LSTMCell", "OptimizedLSTMCell", "GRUCell", "SimpleCell", "MGUCell", "ConvLSTMCell")},
    **{f"flax.nnx.{n}": LayerSpec(RECURRENT, dead_keywords=frozenset()) for n in (
        "LSTMCell", "OptimizedLSTMCell", "GRUCell", "SimpleCell")},
    **{f"haiku.{n}": _H_DENSE for n in (
        "Linear", "Conv1D", "Conv2D", "Conv3D", "ConvND", "Conv1DTranspose", "Conv2DTranspose",
        "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D")},
    "haiku.Embed": LayerSpec(EMBEDDING, use_bias=None, bias_init=None, dead_keywords=frozenset()),
}
#: Internal module paths that the public names above re-export (``flax.linen.linear.Dense``).
FLAX_MODULE_ALIASES: dict[str, str] = {
    "flax.linen.linear.": "flax.linen.", "flax.linen.attention.": "flax.linen.",
    "flax.linen.recurrent.": "flax.linen.", "flax.linen.activation.": "flax.linen.",
    "flax.linen.combinators.": "flax.linen.", "flax.linen.stochastic.": "flax.linen.",
    "flax.nnx.nn.linear.": "flax.nnx.", "flax.nnx.nn.attention.": "flax.nnx.",
    "flax.nnx.nn.recurrent.": "flax.nnx.", "flax.nnx.nn.activations.": "flax.nnx.",
    "flax.nnx.nn.stochastic.": "flax.nnx.", "flax.nnx.nn.initializers.": "flax.nnx.initializers.",
    "flax.nnx.helpers.": "flax.nnx.", "flax.nnx.variablelib.": "flax.nnx.",
    "haiku._src.basic.": "haiku.", "haiku._src.conv.": "haiku.", "haiku._src.embed.": "haiku.",
}

#: Layers that pass a zero input on as zero (a chain of zero layers stays dead through them).
KERAS_PASSTHROUGH = frozenset({
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout",
    "GaussianDropout", "Flatten", "Reshape", "Identity",
})
FLAX_PASSTHROUGH = frozenset({"flax.linen.Dropout", "flax.nnx.Dropout", "haiku.Flatten", "haiku.Reshape"})
#: Containers whose elements run in sequence.
KERAS_SEQUENTIAL = frozenset({"Sequential", "models.Sequential"})
FLAX_SEQUENTIAL = frozenset({"flax.linen.Sequential", "flax.nnx.Sequential", "haiku.Sequential"})
#: Keras layers that are activations; ``Activation(x)`` takes the activation as argument 0.
KERAS_ACTIVATION_LAYER = "Activation"

#: Functions that split a layer's output into named chunks: ``shift, scale, gate =
#: jnp.split(c, 3, axis=-1)`` reads as an adaLN-Zero modulation.
SPLIT_FUNCTIONS = frozenset({
    "jax.numpy.split", "jax.numpy.array_split", "numpy.split", "numpy.array_split", "keras.ops.split",
    "tensorflow.split",
})
#: Tokens of the names a modulation is split into (DiT: shift/scale/gate; FiLM: gamma/beta).
MODULATION_TOKENS = frozenset({"shift", "scale", "gate", "gamma", "beta", "alpha", "mod", "modulation"})

#: Tokens in a Dense/Linear width that make it an output layer: ``nn.Dense(self.num_classes)``.
OUTPUT_WIDTH_TOKENS: dict[str, str] = {
    "classes": "a classifier head", "labels": "a classifier head", "vocab": "an output projection over the vocabulary",
    "actions": "a policy head", "logits": "an output layer",
}
#: Keywords that carry a layer's output width.
WIDTH_KEYWORDS = ("units", "features", "out_features", "filters", "output_size", "output_dim")

# -- roles of custom parameters (add_weight, self.param, hk.get_parameter, nnx.Param) ---------

#: Name tokens of parameters that are added to activations, not multiplied: class/mask/
#: register tokens, learned position embeddings. A zero there makes no two units alike.
ADDITIVE_TOKENS = frozenset({
    "token", "tokens", "pos", "position", "positions", "positional", "posemb", "cls", "register", "registers",
    "prompt", "prompts",
})
#: Name patterns of state and statistics (metric accumulators, moving averages, counters).
STATE_NAME_PATTERN = (
    r"^(moving_.*|.*_moving_.*|.*_mean|mean|.*_var|var|.*_variance|variance|count|counts|.*_count|total|"
    r".*_total|num_.*|number_of_.*|step|steps|.*_step|ema_.*|.*_ema|.*_state|state|.*_buffer|.*_accumulator|"
    r"aggregate_.*|.*_scale|scale|.*_log|.*_ids)$"
)
