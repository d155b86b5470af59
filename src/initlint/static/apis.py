"""API knowledge as data: which callables initialise what, with which value.

Adding support for a new library is a new row here, not a new branch in the analyzer
(TorchFix's deprecated-symbol table is the model). Values are ``ZERO``, ``ONE`` or
``ARG``: read from an argument (``ArgSpec``), with a default when the argument is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

ZERO = "zero"
ONE = "one"
ARG = "arg"


@dataclass(frozen=True)
class ArgSpec:
    """Where an argument sits: positional index and keyword name; ``default`` if absent."""

    index: Optional[int]
    keyword: Optional[str]
    default: Optional[float] = None


@dataclass(frozen=True)
class InitFunction:
    """A function that fills a tensor (``on="tensor"``) or a layer's weight (``on="layer"``)."""

    value: str
    target: ArgSpec = ArgSpec(0, "tensor")
    value_arg: Optional[ArgSpec] = None
    on: str = "tensor"
    zeroes_bias: bool = False  # a layer-level helper that also zeroes the bias
    deprecated: bool = False


_VAL = ArgSpec(1, "val")

#: torch.nn.init and the layer-level helpers that wrap it, by canonical dotted name.
INIT_FUNCTIONS: dict[str, InitFunction] = {
    "torch.nn.init.zeros_": InitFunction(ZERO),
    "torch.nn.init.ones_": InitFunction(ONE),
    "torch.nn.init.constant_": InitFunction(ARG, value_arg=_VAL),
    "torch.nn.init.constant": InitFunction(ARG, value_arg=_VAL, deprecated=True),
    # zeta (kyegomez/zeta) defines init_zero_ in zeta.utils.main and re-exports it.
    "zeta.utils.init_zero_": InitFunction(ZERO, target=ArgSpec(0, "layer"), on="layer", zeroes_bias=True),
    "zeta.utils.main.init_zero_": InitFunction(ZERO, target=ArgSpec(0, "layer"), on="layer", zeroes_bias=True),
    "zeta.init_zero_": InitFunction(ZERO, target=ArgSpec(0, "layer"), on="layer", zeroes_bias=True),
}

#: Modules that re-export torch.nn.init under their own name (canonicalised before lookup).
#: transformers 5 imports ``transformers.initialization as init`` in every modeling file.
INIT_MODULE_WRAPPERS: dict[str, str] = {
    "transformers.initialization": "torch.nn.init",
    "torch.nn.modules.module.init": "torch.nn.init",
}

#: In-place tensor methods (all torch: numpy and jax have no trailing-underscore fills).
TENSOR_METHODS: dict[str, InitFunction] = {
    "zero_": InitFunction(ZERO, target=ArgSpec(None, None)),
    "fill_": InitFunction(ARG, target=ArgSpec(None, None), value_arg=ArgSpec(0, "value")),
}
#: Methods that copy their argument into the tensor: the argument decides the value.
COPY_METHODS = frozenset({"copy_"})
#: Accessors that yield the same storage: ``w.data.zero_()`` zeroes ``w``.
SAME_STORAGE_ACCESSORS = frozenset({"data", "detach", "detach_"})

#: Tensor factories whose result is constant, with the torch dotted names.
TENSOR_FACTORIES: dict[str, InitFunction] = {
    "torch.zeros": InitFunction(ZERO, target=ArgSpec(None, None)),
    "torch.zeros_like": InitFunction(ZERO, target=ArgSpec(None, None)),
    "torch.ones": InitFunction(ONE, target=ArgSpec(None, None)),
    "torch.ones_like": InitFunction(ONE, target=ArgSpec(None, None)),
    "torch.full": InitFunction(ARG, target=ArgSpec(None, None), value_arg=ArgSpec(1, "fill_value")),
    "torch.full_like": InitFunction(ARG, target=ArgSpec(None, None), value_arg=ArgSpec(1, "fill_value")),
}
#: Factories whose shape is given by their positional arguments (``torch.zeros(a, b)``).
SHAPE_FROM_ARGS = frozenset({"torch.zeros", "torch.ones", "torch.empty", "torch.randn", "torch.rand"})
SHAPE_FROM_FIRST_ARG = frozenset({"torch.full"})

PARAMETER_CLASSES = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})
PARAMETER_CONTAINERS = frozenset({"torch.nn.ParameterDict", "torch.nn.ParameterList"})

#: Callables that register a module-wide callback: ``model.apply(fn)``.
APPLY_METHODS = frozenset({"apply"})
#: Functions the framework itself applies to every submodule (transformers' post_init,
#: timm's named_apply), recognised by name when their argument is a module.
PER_MODULE_CALLBACK_NAMES = frozenset(
    {"_init_weights", "init_weights", "_init_weight", "init_weight", "weights_init", "weight_init",
     "_initialize_weights", "initialize_weights", "init_func", "_init_module", "init_module"}
)

#: Iteration sources that visit every module / every parameter.
MODULE_ITERATORS = frozenset({"modules", "children", "named_modules", "named_children"})
PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters"})
#: Containers whose elements are layers.
CONTAINER_CLASSES = frozenset({"torch.nn.Sequential", "torch.nn.ModuleList"})

#: Layer families: a guard ``isinstance(m, <one of these>)`` selects every such layer.
LAYER_FAMILIES = frozenset(
    f"torch.nn.{n}"
    for n in (
        "Linear", "LazyLinear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
        "ConvTranspose2d", "ConvTranspose3d", "LazyConv1d", "LazyConv2d", "LazyConv3d",
        "Embedding", "EmbeddingBag", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
        "MultiheadAttention",
    )
) | frozenset({"transformers.pytorch_utils.Conv1D", "transformers.modeling_utils.Conv1D"})

#: Layers with a default random bias (PyTorch draws it from U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
LAYERS_WITH_RANDOM_BIAS = LAYER_FAMILIES - {"torch.nn.Embedding", "torch.nn.EmbeddingBag"}

#: Norm layers: their weight is γ (a scale meant to be constant), their bias β.
NORM_CLASSES = frozenset(
    f"torch.nn.{n}"
    for n in (
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "LazyBatchNorm1d",
        "LazyBatchNorm2d", "LazyBatchNorm3d", "LayerNorm", "GroupNorm", "RMSNorm",
        "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LocalResponseNorm",
    )
)
#: Short class names treated as norms wherever they come from (timm/transformers define their own).
NORM_CLASS_SUFFIXES = ("Norm", "Norm1d", "Norm2d", "Norm3d", "NormAct2d", "NormAct", "BatchNormAct2d")

#: Layers that pass their input through unchanged in a Sequential chain.
PASSTHROUGH_CLASSES = frozenset(
    {"torch.nn.Dropout", "torch.nn.Dropout1d", "torch.nn.Dropout2d", "torch.nn.Dropout3d",
     "torch.nn.Identity", "torch.nn.Flatten", "torch.nn.Unflatten", "torch.nn.AlphaDropout"}
)


def canonical(qualname: str, wrappers: "dict[str, str]") -> str:
    """Map a dotted name through known (and user-configured) wrappers to its canonical name."""
    for wrapper, target in wrappers.items():
        if qualname == wrapper:
            return target
        if qualname.startswith(wrapper + "."):
            return target + qualname[len(wrapper):]
    return qualname
