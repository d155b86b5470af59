"""What each parameter of a model *is*: its role and the axis along which its units lie.

Knowledge lives in the tables below, keyed by the class name of the owning module (PyTorch)
or layer (Keras). A lookup walks the owner's MRO, so subclasses (``NonDynamicallyQuantizableLinear``,
a user's ``class MyConv(nn.Conv2d)``, ``LazyLinear`` after materialisation) inherit the entry of
their base. Nothing here imports a framework: only class names are compared.

Roles decide which checks apply:

- ``weight``: every check (INI001/INI002 constant, INI005 duplicate units, INI004 dead units, INI006).
- ``embedding``: rows are *tokens*, not units. Constant checks apply (an all-zero table is as
  suspicious as an all-zero weight), duplicate rows (INI005) and per-row dead units (INI004)
  do not: tokens absent from the probe inputs never get a gradient, and a tied/padded table may
  legitimately repeat rows.
- ``bias``, ``norm_scale``, ``norm_shift``, ``scalar``, ``other``, ``buffer``: meant to be constant
  (or unknown), only INI006 applies. Any tensor with ndim <= 1 is treated as ``scalar``.

Unit axes (``Spec.axis``): the dimension indexing a layer's output units. ``gates`` > 1 means the
unit axis is a stack of gate blocks (LSTM i/f/g/o, GRU r/z/n, attention q/k/v): unit *j* is row *j*
of every block together, so two units are duplicates only when all their gate rows are equal.
``groups_attr`` names the module attribute holding the number of groups (grouped convolution):
units are compared only within their group, since units of different groups see different inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Optional

from initlint.runtime.vocabulary import is_norm_class_name

WEIGHT = "weight"
EMBEDDING = "embedding"
BIAS = "bias"
NORM_SCALE = "norm_scale"
MAGNITUDE = "magnitude"  # weight_norm's g: a per-unit length, constant by design (not a norm layer)
NORM_SHIFT = "norm_shift"
SCALAR = "scalar"
OTHER = "other"
BUFFER = "buffer"
STATISTIC = "statistic"  # a buffer of running statistics: ±inf there is divergence, not a mask

#: roles whose values are checked for being all-zero / constant
CONSTANT_CHECKED = frozenset({WEIGHT, EMBEDDING})


@dataclass(frozen=True)
class Spec:
    """Role of a parameter, plus where its units are (``axis`` None: no unit structure known)."""

    role: str
    axis: Optional[int] = None  # may be negative (Keras kernels end with the output axis)
    gates: int = 1
    groups_attr: Optional[str] = None
    compare_units: bool = True  # False: never look for duplicate units
    group_split: bool = True  # False: with groups > 1 the units cannot be compared (grouped ConvTranspose)
    experts: bool = False  # dim 0 stacks the experts of a mixture; ``axis`` is the axis in one expert


def _w(axis: int = 0, gates: int = 1, groups_attr: Optional[str] = None) -> Spec:
    return Spec(WEIGHT, axis, gates, groups_attr)


_B = Spec(BIAS)
_G = Spec(NORM_SCALE)
_BETA = Spec(NORM_SHIFT)
_NORM = {"weight": _G, "bias": _BETA}

# PyTorch: owning module class name -> {parameter-name pattern (fnmatch): Spec}
TORCH_PARAMS: dict[str, dict[str, Spec]] = {
    "Linear": {"weight": _w(0), "bias": _B},
    "Bilinear": {"weight": _w(0), "bias": _B},
    # ConvTranspose weight is (in, out/groups, *k): units on dim 1; with groups > 1 a unit spans
    # one block of dim 0 only, so duplicate detection is skipped there (constant checks still run).
    "_ConvTransposeNd": {"weight": Spec(WEIGHT, 1, groups_attr="groups", group_split=False), "bias": _B},
    "_ConvNd": {"weight": _w(0, groups_attr="groups"), "bias": _B},
    "LSTM": {"weight_ih_l*": _w(0, 4), "weight_hh_l*": _w(0, 4), "weight_hr_l*": _w(0), "bias_*": _B},
    "GRU": {"weight_ih_l*": _w(0, 3), "weight_hh_l*": _w(0, 3), "bias_*": _B},
    "RNN": {"weight_ih_l*": _w(0), "weight_hh_l*": _w(0), "bias_*": _B},
    "LSTMCell": {"weight_ih": _w(0, 4), "weight_hh": _w(0, 4), "bias_*": _B},
    "GRUCell": {"weight_ih": _w(0, 3), "weight_hh": _w(0, 3), "bias_*": _B},
    "RNNCell": {"weight_ih": _w(0), "weight_hh": _w(0), "bias_*": _B},
    "MultiheadAttention": {
        "in_proj_weight": _w(0, 3),
        "q_proj_weight": _w(0),
        "k_proj_weight": _w(0),
        "v_proj_weight": _w(0),
        "in_proj_bias": _B,
        "bias_k": _B,
        "bias_v": _B,
    },
    "Embedding": {"weight": Spec(EMBEDDING, 0)},
    "EmbeddingBag": {"weight": Spec(EMBEDDING, 0)},
    "_NormBase": _NORM,  # BatchNorm*, InstanceNorm*, SyncBatchNorm
    "LayerNorm": _NORM,
    "GroupNorm": _NORM,
    "RMSNorm": _NORM,
    "PReLU": {"weight": Spec(SCALAR)},
    # transformers.pytorch_utils.Conv1D (GPT-2): weight is (in, out), units on dim 1
    "Conv1D": {"weight": _w(1), "bias": _B},
}

# PyTorch buffers that are statistics (any other floating buffer may hold ±inf on purpose: masks, bounds)
TORCH_BUFFERS: dict[str, dict[str, Spec]] = {
    "_NormBase": {"running_mean": Spec(STATISTIC), "running_var": Spec(STATISTIC)},
}

# PyTorch containers whose last weight layer ends a branch (a zero there may be deliberate)
TORCH_CONTAINERS = frozenset({"Sequential", "ModuleList"})

# PyTorch module classes that normalise by batch statistics: the probe runs them in training
# mode (as training would) and everything else in eval mode (dropout and other stochastic
# train-only behaviour off).
TORCH_BATCH_STAT_NORMS = frozenset({"_NormBase", "_BatchNorm", "_InstanceNorm"})

# Modules whose weights live in packed, quantized form outside parameters and buffers.
TORCH_QUANTIZED_MODULE_PREFIXES = ("torch.ao.nn.quantized", "torch.nn.quantized", "torch.ao.nn.intrinsic.quantized")

# torch.nn.utils.parametrize: which stored original is what, per parametrization class.
# weight_norm stores (g, v): g is a per-unit magnitude (a scale, constant by design when the
# rows have equal norms), v the direction (a weight with the base tensor's unit axis).
TORCH_PARAMETRIZATIONS: dict[str, dict[str, str]] = {
    "_WeightNorm": {"original0": "magnitude", "original1": "base"},
}

# Suffixes that older reparametrisations append to the base name on the owning module:
# torch.nn.utils.weight_norm (weight_g, weight_v), spectral_norm / pruning (weight_orig).
TORCH_NAME_SUFFIXES: dict[str, str] = {"_g": "magnitude", "_v": "base", "_orig": "base"}

# Fallback for unknown module types: a >= 2-D parameter whose name has one of these tokens
# (split on "_") is a weight with units on dim 0 (the nn.Linear/nn.ConvNd convention); any
# other unknown parameter (cls_token, pos_embed, gates, ...) is "other" and only checked for
# NaN/Inf, because additive tokens and gates are legitimately zero-initialised.
WEIGHT_NAME_TOKENS = frozenset({"weight", "kernel"})
WEIGHT_NAMES = frozenset({"w", "W"})

#: the parameters of a norm layer that the tables do not know, by name (its class name says norm)
NORM_PARAM_NAMES: dict[str, Spec] = {
    "weight": _G, "gamma": _G, "scale": _G, "g": _G, "alpha": _G,
    "bias": _BETA, "beta": _BETA, "shift": _BETA, "b": _BETA,
}

#: tokens of an expert stack's tensor names (transformers: gate_up_proj, down_proj; others w1/w2/w3)
EXPERT_WEIGHT_TOKENS = frozenset({"proj", "w1", "w2", "w3", "wi", "wo", "fc1", "fc2"})

# Keras 3: layer class name -> {attribute holding the variable: Spec}.  Keras kernels end
# with the output axis: Dense (in, out), ConvND (*k, in/groups, out), ConvNDTranspose
# (*k, out, in), LSTM/GRU kernels (in, gates*units).
KERAS_PARAMS: dict[str, dict[str, Spec]] = {
    "Dense": {"kernel": _w(-1), "bias": _B},
    "EinsumDense": {"kernel": _w(-1), "bias": _B},
    "BaseConvTranspose": {"kernel": _w(-2), "bias": _B},
    "BaseDepthwiseConv": {"kernel": Spec(WEIGHT), "bias": _B},  # units are per input channel
    "BaseSeparableConv": {"depthwise_kernel": Spec(WEIGHT), "pointwise_kernel": _w(-1), "bias": _B},
    "BaseConv": {"kernel": _w(-1, groups_attr="groups"), "bias": _B},
    "Embedding": {"embeddings": Spec(EMBEDDING, 0)},
    "BatchNormalization": {
        "gamma": _G,
        "beta": _BETA,
        "moving_mean": Spec(STATISTIC),
        "moving_variance": Spec(STATISTIC),
    },
    "LayerNormalization": {"gamma": _G, "beta": _BETA},
    "GroupNormalization": {"gamma": _G, "beta": _BETA},
    "RMSNormalization": {"scale": _G},
    "LSTMCell": {"kernel": _w(-1, 4), "recurrent_kernel": _w(-1, 4), "bias": _B},
    "GRUCell": {"kernel": _w(-1, 3), "recurrent_kernel": _w(-1, 3), "bias": _B},
    "SimpleRNNCell": {"kernel": _w(-1), "recurrent_kernel": _w(-1), "bias": _B},
    "PReLU": {"alpha": Spec(SCALAR)},
}
KERAS_FALLBACK_AXIS = -1  # unknown Keras layers: a >= 2-D "kernel"-like variable has units last


def class_names(owner: object) -> list:
    """The class names a role lookup walks: the MRO, or a TorchScript module's original class."""
    original = getattr(owner, "original_name", None)
    if isinstance(original, str) and type(owner).__name__.endswith("ScriptModule"):
        return [original]
    return [cls.__name__ for cls in type(owner).__mro__]


def _lookup(table: dict[str, dict[str, Spec]], owner: object, name: str) -> Optional[Spec]:
    for cls_name in class_names(owner):
        entry = table.get(cls_name)
        if entry is None:
            continue
        if name in entry:
            return entry[name]
        for pattern, spec in entry.items():
            if fnmatchcase(name, pattern):
                return spec
    return None


def _looks_like_weight(name: str) -> bool:
    return name in WEIGHT_NAMES or bool(WEIGHT_NAME_TOKENS & set(name.lower().split("_")))


def torch_spec(owner: object, name: str, shape: tuple, parametrization: Optional[str] = None) -> Spec:
    """Spec of parameter ``name`` (of this shape) registered on module ``owner``.

    ``parametrization``: for a parametrized tensor, the ``original*`` name is resolved by the
    caller to (base name, kind); pass kind here ("magnitude" or "base").
    """
    ndim = len(shape)
    norm = _custom_norm_spec(TORCH_PARAMS, owner, name)
    if norm is not None:
        return norm
    if ndim <= 1:
        spec = _lookup(TORCH_PARAMS, owner, name)
        return Spec(spec.role if spec and spec.role != WEIGHT else SCALAR)
    if parametrization == "magnitude":
        return Spec(MAGNITUDE)
    spec = _lookup(TORCH_PARAMS, owner, name)
    if spec is not None:
        return spec
    experts = _expert_spec(owner, name, shape)
    if experts is not None:
        return experts
    for suffix, kind in TORCH_NAME_SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            if kind == "magnitude":
                return Spec(MAGNITUDE)
            return torch_spec(owner, name[: -len(suffix)], shape)
    if _looks_like_weight(name):
        if sum(1 for d in shape if int(d) > 1) <= 1:
            return Spec(SCALAR)  # (1, 1, 1, C): a per-channel scale broadcast over a feature map
        return _w(0)
    return Spec(OTHER)


def _custom_norm_spec(table: dict, owner: object, name: str) -> Optional[Spec]:
    """γ and β of a norm layer the tables do not know (LlamaRMSNorm, T5LayerNorm, ConvNextV2GRN),
    recognised by the linter's norm class names."""
    if owner is None or _lookup(table, owner, name) is not None:
        return None
    if not any(is_norm_class_name(c) for c in class_names(owner)[:1]):
        return None
    return NORM_PARAM_NAMES.get(name)


def _expert_spec(owner: object, name: str, shape: tuple) -> Optional[Spec]:
    """An expert stack of a mixture of experts: (experts, out, in) per expert like nn.Linear, or
    (experts, in, out) when the module says ``is_transposed`` (transformers' experts modules)."""
    if len(shape) < 3 or owner is None or not any(c.lower().endswith("experts") for c in class_names(owner)[:1]):
        return None
    if not _looks_like_weight(name) and not any(t in name.lower().split("_") for t in EXPERT_WEIGHT_TOKENS):
        return None
    transposed = bool(getattr(owner, "is_transposed", False))
    gates = 2 if "gate_up" in name and getattr(owner, "is_concatenated", True) else 1
    return Spec(WEIGHT, -1 if transposed else 0, gates, experts=True)


def torch_buffer_spec(owner: object, name: str) -> Spec:
    """Spec of buffer ``name`` of module ``owner``: a running statistic, or any other buffer."""
    return _lookup(TORCH_BUFFERS, owner, name) or Spec(BUFFER)


def keras_spec(layer: object, attr: Optional[str], var_name: str, ndim: int, trainable: bool) -> Spec:
    """Spec of a Keras variable found as ``layer.<attr>`` (attr None: not found by identity)."""
    spec = _lookup(KERAS_PARAMS, layer, attr) if attr else None
    if spec is None and attr and trainable:
        spec = _custom_norm_spec(KERAS_PARAMS, layer, attr)
    if spec is None:
        base = var_name.rsplit("/", 1)[-1]
        if trainable and ndim >= 2 and _looks_like_weight(base):
            spec = _w(KERAS_FALLBACK_AXIS)
        else:
            spec = Spec(OTHER if trainable else BUFFER)
    if ndim <= 1 and spec.role in CONSTANT_CHECKED:
        return Spec(SCALAR)
    return spec


def is_batch_stat_norm(module: object) -> bool:
    return any(c.__name__ in TORCH_BATCH_STAT_NORMS for c in type(module).__mro__)


def keras_spec_attrs(layer: object) -> tuple[str, ...]:
    """Attribute names that may hold a role-bearing variable on this Keras layer."""
    names: list[str] = []
    for cls in type(layer).__mro__:
        names.extend(KERAS_PARAMS.get(cls.__name__, ()))
    return tuple(dict.fromkeys(names))
