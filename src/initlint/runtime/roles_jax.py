"""Roles and unit axes of JAX parameters (Flax linen and nnx, Haiku, Equinox, any pytree), as data.

JAX parameters are leaves of a pytree; what a leaf *is* comes from the only facts that tree
keeps: the leaf's own name (``kernel``, ``w``, ``bias``), the name of the module that owns it
(Haiku's ``net/~/conv2_d_transpose``), the class of the owning object when there is one (nnx and
Equinox modules, looked up along the MRO as for PyTorch), and the kind of variable (nnx
``Param`` vs ``BatchStat``, linen's ``params`` vs ``batch_stats`` collection). Nothing here
imports a framework: names and class names are compared.

Unit axes follow each library's storage convention:

- Flax (linen and nnx) and Haiku store ``y = x @ kernel``: Dense/Linear ``(in, out)``, Conv
  ``(*k, in/groups, out)`` (HWIO), DenseGeneral ``(in..., out...)``: units on the **last** axis.
  Haiku's ``ConvNDTranspose`` (and nnx ``ConvTranspose(transpose_kernel=True)``) store
  ``(*k, out, in)``: second to last. Embedding tables ``(vocab, features)`` have tokens, not
  units, on axis 0.
- Equinox stores ``y = weight @ x`` as PyTorch does: Linear ``(out, in)``, Conv
  ``(out, in/groups, *k)``: units on axis 0.

Never reported for being constant (only INI006 applies): biases (``bias``, ``b``), norm scales
and shifts (``scale``, ``gamma``, ``offset``, ``beta``), every non-``Param`` nnx variable
(``BatchStat``, ``Cache``, RNG state), linen collections other than ``params``
(``batch_stats``, ``cache``...), Equinox ``StateIndex`` initial values, and every leaf with
ndim <= 1.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Optional, Sequence

from initlint.runtime.roles import (
    BIAS,
    BUFFER,
    CONSTANT_CHECKED,
    EMBEDDING,
    NORM_SCALE,
    NORM_SHIFT,
    OTHER,
    SCALAR,
    WEIGHT,
    Spec,
)

#: tree styles, each with its unit-axis convention for unknown weights
FLAX, HAIKU, EQUINOX, PYTREE = "flax", "haiku", "equinox", "jax"


def _w(axis: int, gates: int = 1, groups_attr: Optional[str] = None, compare: bool = True) -> Spec:
    return Spec(WEIGHT, axis, gates, groups_attr, compare_units=compare)


_B = Spec(BIAS)
_G = Spec(NORM_SCALE)
_BETA = Spec(NORM_SHIFT)
_BUF = Spec(BUFFER)
_EMB = Spec(EMBEDDING, 0)

# A leaf's role from its own name, for Flax (linen and nnx), Haiku and plain pytrees: the last
# path element. Kernels keep their output units last (see the module docstring).
LEAF_NAMES: dict[str, Spec] = {
    "kernel": _w(-1),  # Flax Dense/Conv/ConvTranspose/DenseGeneral/Einsum, nnx Linear/Conv
    "w": _w(-1),  # Haiku Linear/ConvND
    "embedding": _EMB,  # Flax Embed
    "embeddings": _EMB,  # Haiku Embed
    "bias": _B,
    "b": _B,
    "scale": _G,  # Flax LayerNorm/BatchNorm/GroupNorm/RMSNorm, Haiku LayerNorm/BatchNorm/RMSNorm
    "gamma": _G,
    "offset": _BETA,  # Haiku norms
    "beta": _BETA,
    "mean": _BUF,  # running statistics, when a tree does not say they are state
    "var": _BUF,
}

# A >= 2-D leaf not in the tables is a weight when its name is one of these (w, w1, W2,
# weight, kernel), or has one of these tokens between underscores ("w_i", "q_kernel");
# anything else (cls tokens, position embeddings, gates, "mixing") is "other": additive tokens
# and gates are zero by design.
WEIGHT_NAME = re.compile(r"[wW]\d*|weight|kernel")
WEIGHT_TOKENS = frozenset({"weight", "kernel", "w"})

# Haiku modules whose parameters need more than their name, by the last one or two segments of
# the module name (Haiku's snake_case of the class unless renamed; "_1" etc. for repeats).
HAIKU_MODULES: dict[str, dict[str, Spec]] = {
    "conv?_d_transpose*": {"w": _w(-2)},  # hk.ConvNDTranspose: (*k, out, in)
    "depthwise_conv?_d*": {"w": _w(-1, compare=False)},  # (*k, 1, C*mult): each unit sees its own channel
    "gru*": {"w_i": _w(-1, 3), "w_h": _w(-1, 3)},  # hk.GRU: (in, 3*hidden), gates r/z/n
    "lstm/linear": {"w": _w(-1, 4)},  # hk.LSTM: one Linear of 4*hidden (i/g/f/o)
    "lstm_[0-9]*/linear": {"w": _w(-1, 4)},
}

# nnx layers whose parameters need more than their name (owner class name, along its MRO).
NNX_PARAMS: dict[str, dict[str, Spec]] = {
    "Conv": {"kernel": _w(-1, groups_attr="feature_group_count")},
    "LoRA": {"lora_a": _w(-1), "lora_b": _w(-1)},  # (in, rank), (rank, out)
    "LoRALinear": {"lora_a": _w(-1), "lora_b": _w(-1)},
    "PReLU": {"negative_slope": Spec(SCALAR)},
}
# (owner class, leaf, boolean attribute) -> Spec when that attribute is true
NNX_FLAGGED: dict[tuple[str, str, str], Spec] = {
    ("ConvTranspose", "kernel", "transpose_kernel"): _w(-2),  # (*k, out, in)
}
# nnx variable classes (MRO names) that training updates; every other Variable is state
NNX_TRAINABLE_VARIABLES = frozenset({"Param"})

# Equinox: owner class name (along its MRO) -> {field: Spec}. Equinox stores (out, in).
EQX_PARAMS: dict[str, dict[str, Spec]] = {
    "Linear": {"weight": _w(0), "bias": _B},
    "Conv": {"weight": _w(0, groups_attr="groups"), "bias": _B},
    "ConvTranspose": {"weight": _w(0, groups_attr="groups"), "bias": _B},  # (out, in/groups, *k)
    "Embedding": {"weight": _EMB},
    "LayerNorm": {"weight": _G, "bias": _BETA},
    "GroupNorm": {"weight": _G, "bias": _BETA},
    "RMSNorm": {"weight": _G, "bias": _BETA},
    "BatchNorm": {"weight": _G, "bias": _BETA},
    "GRUCell": {"weight_ih": _w(0, 3), "weight_hh": _w(0, 3), "bias": _B, "bias_n": _B},
    "LSTMCell": {"weight_ih": _w(0, 4), "weight_hh": _w(0, 4), "bias": _B},
    "PReLU": {"negative_slope": Spec(SCALAR)},
}
# Equinox objects whose array leaves are state, never trained (BatchNorm's running statistics)
EQX_STATE_OWNERS = frozenset({"StateIndex"})
EQX_FALLBACK_AXIS = 0

# Flax linen: a variables dict's collections; only "params" is trained
LINEN_TRAINABLE_COLLECTION = "params"

# Names of the bias that goes with a weight leaf, as a sibling in the same module
BIAS_OF: dict[str, str] = {"kernel": "bias", "w": "b", "weight": "bias"}

# Which library a dict of parameters comes from, by its leaf names (for the fix texts)
STYLE_LEAF_NAMES: dict[str, frozenset] = {
    HAIKU: frozenset({"w", "b", "embeddings", "offset"}),
    FLAX: frozenset({"kernel", "embedding"}),
}


def _by_class(table: dict, owner: object, name: str) -> Optional[Spec]:
    if owner is None:
        return None
    for cls in type(owner).__mro__:
        entry = table.get(cls.__name__)
        if entry is not None and name in entry:
            return entry[name]
    return None


def _flagged(owner: object, name: str) -> Optional[Spec]:
    classes = {c.__name__ for c in type(owner).__mro__}
    for (cls, leaf, attr), spec in NNX_FLAGGED.items():
        if cls in classes and leaf == name and getattr(owner, attr, False) is True:
            return spec
    return None


def _looks_like_weight(name: str) -> bool:
    return WEIGHT_NAME.fullmatch(name) is not None or bool(WEIGHT_TOKENS & set(name.lower().split("_")))


def _haiku_module_spec(module_path: Sequence[str], name: str) -> Optional[Spec]:
    if not module_path:
        return None
    segments = "/".join(module_path).split("/")
    tails = ("/".join(segments[-2:]), segments[-1])
    for pattern, entry in HAIKU_MODULES.items():
        if name in entry and any(fnmatchcase(t, pattern) for t in tails):
            return entry[name]
    return None


def jax_spec(
    style: str,
    module_path: Sequence[str],
    name: str,
    ndim: int,
    owner: object = None,
) -> Spec:
    """Spec of the leaf ``name`` under ``module_path`` (the keys above it), in a tree of ``style``.

    ``owner`` is the object holding the leaf when the tree is made of objects (nnx, Equinox).
    """
    spec = None
    if style == EQUINOX:
        if owner is not None and any(c.__name__ in EQX_STATE_OWNERS for c in type(owner).__mro__):
            return _BUF
        spec = _by_class(EQX_PARAMS, owner, name)
        if spec is None and ndim >= 2 and _looks_like_weight(name):
            spec = _w(EQX_FALLBACK_AXIS)
    else:
        if owner is not None:
            spec = _flagged(owner, name) or _by_class(NNX_PARAMS, owner, name)
        if spec is None and style == HAIKU:
            spec = _haiku_module_spec(module_path, name)
        if spec is None:
            spec = LEAF_NAMES.get(name)
        if spec is None and ndim >= 2 and _looks_like_weight(name):
            spec = _w(-1)
    if spec is None:
        spec = Spec(OTHER)
    if ndim <= 1 and spec.role in CONSTANT_CHECKED:
        return Spec(SCALAR)
    return spec


def nnx_trainable(variable_type: type) -> bool:
    """Whether an nnx Variable of this class is trained (``Param`` and its subclasses)."""
    return any(c.__name__ in NNX_TRAINABLE_VARIABLES for c in variable_type.__mro__)


def dict_style(leaf_names: Sequence[str]) -> str:
    """FLAX, HAIKU or PYTREE for a dict of parameters, from the names of its leaves."""
    names = set(leaf_names)
    votes = {style: len(names & words) for style, words in STYLE_LEAF_NAMES.items()}
    best = max(votes, key=votes.get)
    return best if votes[best] and list(votes.values()).count(votes[best]) == 1 else PYTREE
