"""TensorFlow 1 and TF-slim knowledge as data: functional layers (``slim.fully_connected``,
``tf.layers.dense``), their initializer keywords and defaults, and the variables TF1 code makes
by hand (``tf.get_variable``, ``tf.Variable(tf.zeros(...))``).

TF-slim's layers default to ``activation_fn=tf.nn.relu`` and ``biases_initializer=
tf.zeros_initializer()`` (``tf_slim/layers/layers.py``): a zero ``weights_initializer`` there is
a dead layer unless the code says otherwise. ``tf.layers`` (TF 1's functional Keras wrappers)
default to no activation and a zero bias. TensorFlow's initializer objects are Keras's too
(``knowledge/keras.py``, ``TF_INITIALIZERS``).
"""

from __future__ import annotations

from initlint.knowledge.base import ARG, DENSE, ONE, ZERO, ArgSpec, Framework, LayerSpec, value_of
from initlint.knowledge.keras import TF_INITIALIZERS

#: Dotted-name prefixes of TF-slim (the package, and its TF 1 contrib home) and of TF 1's
#: functional layers, as their canonical spelling.
NAMESPACES = {
    "tensorflow.contrib.slim.": "tf_slim.", "tensorflow.contrib.layers.": "tf_slim.",
    "tf_slim.layers.layers.": "tf_slim.", "tf_slim.layers.": "tf_slim.",
    "tensorflow.compat.v1.layers.": "tensorflow.layers.", "tensorflow.python.layers.core.": "tensorflow.layers.",
}


def canonical(qualname: str) -> str:
    """``tf.contrib.slim.conv2d`` → ``tf_slim.conv2d``; ``tf.compat.v1.layers.dense`` →
    ``tensorflow.layers.dense``."""
    for prefix, public in NAMESPACES.items():
        if qualname.startswith(prefix):
            return public + qualname[len(prefix):]
    return qualname


_SLIM = LayerSpec(DENSE, ArgSpec(None, "activation_fn"), "relu", use_bias=None, bias_init="biases_initializer",
                  dead_keywords=frozenset({"weights_initializer"}), width=ArgSpec(1, "num_outputs"), functional=True)
_TF_DENSE = LayerSpec(DENSE, ArgSpec(2, "activation"), use_bias="use_bias", bias_init="bias_initializer",
                      dead_keywords=frozenset({"kernel_initializer"}), width=ArgSpec(1, "units"), functional=True)
_TF_CONV = LayerSpec(DENSE, ArgSpec(None, "activation"), use_bias="use_bias", bias_init="bias_initializer",
                     dead_keywords=frozenset({"kernel_initializer"}), width=ArgSpec(1, "filters"), functional=True)

#: Functional layers: called with their input, they return their output.
LAYERS: dict[str, LayerSpec] = {
    **{f"tf_slim.{n}": _SLIM for n in (
        "conv2d", "convolution2d", "conv1d", "conv3d", "convolution", "conv2d_transpose", "convolution2d_transpose",
        "fully_connected", "separable_conv2d", "separable_convolution2d", "conv2d_in_plane")},
    "tensorflow.layers.dense": _TF_DENSE,
    **{f"tensorflow.layers.{n}": _TF_CONV for n in (
        "conv1d", "conv2d", "conv3d", "conv2d_transpose", "conv3d_transpose", "separable_conv2d")},
}

#: ``slim.arg_scope([slim.conv2d, slim.fully_connected], weights_initializer=...)`` sets the
#: keyword of every listed layer called inside it.
ARG_SCOPES = frozenset({"tf_slim.arg_scope", "tf_slim.framework.arg_scope", "tensorflow.contrib.framework.arg_scope"})

#: Array factories: ``tf.Variable(tf.zeros([784, 10]))``.
FACTORIES = {
    "tensorflow.zeros": value_of(ZERO), "tensorflow.ones": value_of(ONE),
    "tensorflow.fill": value_of(ARG, ArgSpec(1, "value")), "tensorflow.zeros_like": value_of(ZERO),
    "tensorflow.ones_like": value_of(ONE), "tensorflow.constant": value_of(ARG, ArgSpec(0, "value")),
}

#: The calls that make a variable by hand, by dotted name: ``tf.get_variable(name, shape,
#: dtype, initializer)`` and ``tf.Variable(initial_value)``.
GET_VARIABLE = frozenset({"tensorflow.get_variable", "tensorflow.compat.v1.get_variable"})
VARIABLE = frozenset({"tensorflow.Variable", "tensorflow.compat.v1.Variable"})

FRAMEWORK = Framework(
    name="tensorflow",
    factories=FACTORIES,
    initializer_factories=TF_INITIALIZERS,
    kernel_keywords={"weights_initializer": "weights"},
    bias_keywords=frozenset({"biases_initializer"}),
    # tf.get_variable(name, shape, dtype, initializer); tf.Variable(initial_value)
    parameter_makers={"get_variable": "initializer", "Variable": None},
    layers=LAYERS,
    activation_names={"tensorflow.nn.relu": "relu", "tensorflow.nn.relu6": "relu6", "tensorflow.nn.tanh": "tanh",
                      "tensorflow.nn.sigmoid": "sigmoid", "tensorflow.nn.elu": "elu", "tensorflow.nn.softmax": "softmax"},
)
