"""PyTorch knowledge as data: which callables initialise what, with which value; which layers
hold weights, how their biases start, and how a module is wired.

Adding an init API is one row here (TorchFix's deprecated-symbol table is the model); the
prefilter's words and the reducer's callees are derived from these rows
(``knowledge/__init__.py``), and ``tests/lint/test_knowledge.py`` proves that every row reaches a
finding through the shipped pipeline.
"""

from __future__ import annotations

from initlint.knowledge.base import (
    ARG, ATTENTION, DENSE, EMBEDDING, ONE, RECURRENT, ZERO, ArgSpec, BiasState, Framework, InitFunction, LayerSpec,
)

_VAL = ArgSpec(1, "val")
_ZETA = InitFunction(ZERO, target=ArgSpec(0, "layer"), on="layer", zeroes_bias=True)

#: torch.nn.init and the layer-level helpers that wrap it, by canonical dotted name.
INIT_FUNCTIONS: dict[str, InitFunction] = {
    "torch.nn.init.zeros_": InitFunction(ZERO),
    "torch.nn.init.ones_": InitFunction(ONE),
    "torch.nn.init.constant_": InitFunction(ARG, value_arg=_VAL),
    "torch.nn.init.constant": InitFunction(ARG, value_arg=_VAL, deprecated=True),
    # zeta (kyegomez/zeta) defines init_zero_ in zeta.utils.main and re-exports it.
    "zeta.utils.init_zero_": _ZETA,
    "zeta.utils.main.init_zero_": _ZETA,
    "zeta.init_zero_": _ZETA,
}

#: Modules that re-export torch.nn.init under their own name (canonicalised before lookup).
#: transformers 5 imports ``transformers.initialization as init`` in every modeling file.
INIT_MODULE_WRAPPERS: dict[str, str] = {
    "transformers.initialization": "torch.nn.init",
    "torch.nn.modules.module.init": "torch.nn.init",
}

_IN_PLACE = ArgSpec(None, None)  # the receiver itself

#: In-place tensor methods (all torch: numpy and jax have no trailing-underscore fills).
TENSOR_METHODS: dict[str, InitFunction] = {
    "zero_": InitFunction(ZERO, target=_IN_PLACE),
    "fill_": InitFunction(ARG, target=_IN_PLACE, value_arg=ArgSpec(0, "value")),
}
#: Methods that copy their argument into the tensor: the argument decides the value.
COPY_METHODS = frozenset({"copy_"})
#: Accessors that yield the same storage: ``w.data.zero_()`` zeroes ``w``.
SAME_STORAGE_ACCESSORS = frozenset({"data", "detach", "detach_"})

#: Tensor factories whose result is constant.
TENSOR_FACTORIES: dict[str, InitFunction] = {
    "torch.zeros": InitFunction(ZERO, target=None),
    "torch.zeros_like": InitFunction(ZERO, target=None),
    "torch.ones": InitFunction(ONE, target=None),
    "torch.ones_like": InitFunction(ONE, target=None),
    "torch.full": InitFunction(ARG, target=None, value_arg=ArgSpec(1, "fill_value")),
    "torch.full_like": InitFunction(ARG, target=None, value_arg=ArgSpec(1, "fill_value")),
}
#: Factories whose shape is given by their positional arguments (``torch.zeros(a, b)``).
SHAPE_FROM_ARGS = frozenset({"torch.zeros", "torch.ones", "torch.empty", "torch.randn", "torch.rand",
                             # the legacy constructors: torch.Tensor(n) is n uninitialised numbers
                             "torch.Tensor", "torch.FloatTensor"})
#: Factories that copy their argument's shape.
SHAPE_OF_ARGUMENT = frozenset({"torch.zeros_like", "torch.ones_like", "torch.full_like"})

#: Random initialisers, by short name (functions of torch.nn.init and in-place tensor methods):
#: a constant overwritten by one of these before training was a dead store.
RANDOM_INITS = frozenset({
    "normal_", "uniform_", "kaiming_normal_", "kaiming_uniform_", "xavier_normal_", "xavier_uniform_",
    "trunc_normal_", "orthogonal_", "sparse_", "eye_", "dirac_", "random_", "log_normal_", "exponential_",
    "geometric_", "cauchy_", "bernoulli_", "trunc_normal_tf_", "lecun_normal_", "variance_scaling_",
})

#: Collective operations that overwrite their tensor argument on every rank (a constant written
#: just before one is replaced by what the collective brings).
OVERWRITING_COLLECTIVES = frozenset({
    "torch.distributed.broadcast", "torch.distributed.all_reduce", "torch.distributed.reduce",
    "torch.distributed.scatter", "torch.distributed.recv", "torch.distributed.irecv",
})

PARAMETER_CLASSES = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})
PARAMETER_CONTAINERS = frozenset({"torch.nn.ParameterDict", "torch.nn.ParameterList"})
#: ``self.embed = nn.Buffer(t)`` (torch 2.5+): state, never trained, as ``register_buffer`` makes
#: (short names: the model collector has no resolver).
BUFFER_MAKERS = frozenset({"Buffer"})

#: Callables that register a module-wide callback: ``model.apply(fn)``; timm's ``named_apply(fn, model)``.
APPLY_METHODS = frozenset({"apply"})
APPLY_FUNCTIONS = frozenset({"named_apply"})
#: Functions the framework itself applies to every submodule (transformers' post_init,
#: timm's named_apply), recognised by name when their argument is a module.
PER_MODULE_CALLBACK_NAMES = frozenset(
    {"_init_weights", "init_weights", "_init_weight", "init_weight", "weights_init", "weight_init",
     "_initialize_weights", "initialize_weights", "init_func", "_init_module", "init_module"}
)

#: Iteration sources that visit every module / every parameter.
MODULE_ITERATORS = frozenset({"modules", "children", "named_modules", "named_children"})
PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters"})
#: Containers whose elements are layers; the first runs them in sequence.
SEQUENTIAL_CLASSES = frozenset({"torch.nn.Sequential"})
CONTAINER_CLASSES = frozenset({"torch.nn.Sequential", "torch.nn.ModuleList"})

_LINEAR = LayerSpec(DENSE, use_bias="bias", bias_init=None, default_bias=BiasState.RANDOM, dead_keywords=frozenset(),
                    width=ArgSpec(1, "out_features"))
_CONV = LayerSpec(DENSE, use_bias="bias", bias_init=None, default_bias=BiasState.RANDOM, dead_keywords=frozenset(),
                  width=ArgSpec(1, "out_channels"))
_LAZY = LayerSpec(DENSE, use_bias="bias", bias_init=None, default_bias=BiasState.RANDOM, dead_keywords=frozenset(),
                  width=ArgSpec(0, "out_features"))
_RNN = LayerSpec(RECURRENT, use_bias="bias", bias_init=None, default_bias=BiasState.RANDOM, dead_keywords=frozenset(),
                 width=ArgSpec(1, "hidden_size"))
_EMBEDDING = LayerSpec(EMBEDDING, use_bias=None, bias_init=None, default_bias=BiasState.NONE, dead_keywords=frozenset(),
                       width=ArgSpec(1, "embedding_dim"))

#: Layers with a weight, by canonical name. A guard ``isinstance(m, <one of these>)`` selects
#: every such layer. PyTorch draws their default bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
LAYERS: dict[str, LayerSpec] = {
    **{f"torch.nn.{n}": _LINEAR for n in ("Linear", "LazyLinear")},
    "torch.nn.LazyLinear": _LAZY,
    "torch.nn.Bilinear": LayerSpec(DENSE, use_bias="bias", bias_init=None, default_bias=BiasState.RANDOM,
                                   dead_keywords=frozenset(), width=ArgSpec(2, "out_features")),
    **{f"torch.nn.{n}": _CONV for n in (
        "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")},
    **{f"torch.nn.{n}": LayerSpec(DENSE, use_bias="bias", bias_init=None, default_bias=BiasState.RANDOM,
                                  dead_keywords=frozenset(), width=ArgSpec(0, "out_channels"))
       for n in ("LazyConv1d", "LazyConv2d", "LazyConv3d")},
    "torch.nn.Embedding": _EMBEDDING,
    "torch.nn.EmbeddingBag": _EMBEDDING,
    **{f"torch.nn.{n}": _RNN for n in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell")},
    "torch.nn.MultiheadAttention": LayerSpec(ATTENTION, use_bias="bias", bias_init=None, default_bias=BiasState.ZERO,
                                             dead_keywords=frozenset(), width=ArgSpec(0, "embed_dim")),
    # GPT-2's Conv1D(nf, nx) is a Linear with a transposed weight; its bias starts at zero.
    **{f"transformers.{m}.Conv1D": LayerSpec(DENSE, use_bias=None, bias_init=None, default_bias=BiasState.ZERO,
                                             dead_keywords=frozenset(), width=ArgSpec(0, "nf"))
       for m in ("pytorch_utils", "modeling_utils")},
}

#: Norm layers: their weight is γ (a scale meant to be constant), their bias β.
NORM_CLASSES = frozenset(
    f"torch.nn.{n}"
    for n in (
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "LazyBatchNorm1d",
        "LazyBatchNorm2d", "LazyBatchNorm3d", "LayerNorm", "GroupNorm", "RMSNorm",
        "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LocalResponseNorm",
    )
)

#: Layers that pass their input through unchanged in a Sequential chain.
PASSTHROUGH_CLASSES = frozenset(
    {"torch.nn.Dropout", "torch.nn.Dropout1d", "torch.nn.Dropout2d", "torch.nn.Dropout3d",
     "torch.nn.Identity", "torch.nn.Flatten", "torch.nn.Unflatten", "torch.nn.AlphaDropout",
     "torch.nn.functional.dropout",
     # einops reshapes: the same values in another layout
     "einops.layers.torch.Rearrange", "einops.rearrange"}
)

#: Activations by dotted name (the facts are in ``activations``).
ACTIVATION_NAMES: dict[str, str] = {
    "torch.nn.ReLU": "relu", "torch.nn.functional.relu": "relu", "torch.relu": "relu",
    "torch.nn.functional.relu_": "relu", "torch.relu_": "relu", "torch.clamp_min": "relu",
    "torch.nn.ReLU6": "relu6", "torch.nn.functional.relu6": "relu6",
    "torch.nn.LeakyReLU": "leaky relu", "torch.nn.functional.leaky_relu": "leaky relu",
    "torch.nn.PReLU": "prelu", "torch.nn.ELU": "elu", "torch.nn.functional.elu": "elu",
    "torch.nn.SELU": "selu", "torch.nn.functional.selu": "selu", "torch.nn.CELU": "celu",
    "torch.nn.GELU": "gelu", "torch.nn.functional.gelu": "gelu",
    "torch.nn.SiLU": "silu", "torch.nn.functional.silu": "silu", "torch.nn.Mish": "mish",
    "torch.nn.functional.mish": "mish", "torch.nn.Hardswish": "hardswish",
    "torch.nn.functional.hardswish": "hardswish", "torch.nn.Tanh": "tanh", "torch.tanh": "tanh",
    "torch.nn.functional.tanh": "tanh", "torch.nn.Softsign": "softsign",
    "torch.nn.Sigmoid": "sigmoid", "torch.sigmoid": "sigmoid", "torch.nn.functional.sigmoid": "sigmoid",
    "torch.nn.Hardsigmoid": "hardsigmoid", "torch.nn.Softplus": "softplus",
    "torch.nn.functional.softplus": "softplus", "torch.nn.Identity": "identity",
    "torch.nn.Softmax": "softmax", "torch.nn.functional.softmax": "softmax", "torch.softmax": "softmax",
    "torch.exp": "exponential", "torch.special.expit": "sigmoid",
}
#: Activations whose φ'(0) depends on an argument: (where the argument is, its default, the
#: bound that makes the activation flat at 0, the activation then, the activation otherwise).
#: ``Hardtanh(min_val=0)`` is a clipped ReLU; ``Threshold(t >= 0, 0)`` is flat at 0.
CONDITIONAL_ACTIVATIONS: dict[str, tuple] = {
    "torch.nn.Hardtanh": (ArgSpec(0, "min_val", -1.0), "== 0", "hardtanh(0, ·)", "hard tanh"),
    "torch.nn.functional.hardtanh": (ArgSpec(1, "min_val", -1.0), "== 0", "hardtanh(0, ·)", "hard tanh"),
    "torch.nn.Threshold": (ArgSpec(0, "threshold"), ">= 0", "threshold", None),
    "torch.nn.functional.threshold": (ArgSpec(1, "threshold"), ">= 0", "threshold", None),
}
#: Squared ReLU has no torch.nn class; these are the names real code gives it (short names).
SQUARED_RELU_NAMES = frozenset({"SquaredReLU", "ReLUSquared", "ReluSquared", "SquaredRelu", "relu2", "ReLU2"})

#: Functions that apply a weight to an input (``x @ W`` spelled as a call), any framework.
MATMUL_FUNCTIONS = frozenset({
    "torch.matmul", "torch.mm", "torch.bmm", "torch.einsum", "torch.nn.functional.linear", "torch.addmm",
    "torch.nn.functional.conv1d", "torch.nn.functional.conv2d", "torch.nn.functional.conv3d",
    "tensorflow.matmul", "tensorflow.linalg.matmul", "tensorflow.einsum", "tensorflow.nn.conv2d",
    "keras.ops.matmul", "keras.ops.dot", "keras.ops.einsum", "jax.numpy.dot", "jax.numpy.matmul",
    "jax.numpy.einsum", "jax.lax.conv_general_dilated", "numpy.dot", "numpy.matmul",
})
#: Tensor methods that apply a weight (``x.matmul(W)``, ``x.mm(W)``).
MATMUL_METHODS = frozenset({"matmul", "mm", "bmm", "dot"})
#: Attribute or method views of a weight that keep it the same weight (``W.T``, ``W.t()``).
WEIGHT_VIEWS = frozenset({"T", "t", "mT", "transpose", "permute", "view", "reshape", "contiguous", "to",
                          "type_as", "float", "half", "squeeze", "unsqueeze"})

#: Methods that return the module they are called on (``nn.Sequential(...).to(device)``).
SAME_MODULE_METHODS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "train", "eval",
                                 "requires_grad_", "type", "share_memory", "to_empty"})

#: Methods that say how a module is wired: ``forward`` and what it calls on ``self``.
FORWARD_METHODS = frozenset({"forward", "_forward", "forward_features", "__call__"})
#: Methods that say what a module's layers are.
CONSTRUCTOR_METHODS = frozenset({"__init__"})


FRAMEWORK = Framework(
    name="torch",
    init_functions=INIT_FUNCTIONS,
    tensor_methods=TENSOR_METHODS,
    copy_methods=COPY_METHODS,
    factories=TENSOR_FACTORIES,
    random_inits=RANDOM_INITS,
    parameter_makers={"Parameter": None},
    layers=LAYERS,
    norms=NORM_CLASSES,
    passthrough=PASSTHROUGH_CLASSES,
    sequential=SEQUENTIAL_CLASSES,
    containers=CONTAINER_CLASSES | PARAMETER_CONTAINERS | frozenset({"torch.nn.ModuleDict"}),
    model_builders=frozenset({"Sequential", "ModuleList", "ModuleDict"}),
    forward_methods=FORWARD_METHODS,
    constructor_methods=CONSTRUCTOR_METHODS,
    activation_names=ACTIVATION_NAMES,
    conditional_activations=CONDITIONAL_ACTIVATIONS,
    split_functions=frozenset({"torch.chunk", "torch.split", "torch.tensor_split", "torch.unbind"}),
)
