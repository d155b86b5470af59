"""Roles from names alone, as regular expressions (no libcst: the ast guard uses them too)."""

from __future__ import annotations

import re
from typing import Optional

WEIGHT = "weight"
BIAS = "bias"
NORM = "norm parameter"
SCALAR = "scalar"
GRAD = "gradient"
SLICE = "slice"
UNKNOWN = "unknown"

_BIAS_NAME = re.compile(r"^(b|bias|biases|.*_bias|.*_biases|bias_.*)$", re.I)
_WEIGHT_NAME = re.compile(
    r"^(w|weight|weights|kernel|.*_weight|weight_.*|.*_kernel|kernel_.*|.*_w|w_.*|W_?.*|embedding|embeddings)$"
)
#: Names of parameters that are meant to be constant: norm scales/shifts, scalar gates.
_CONSTANT_BY_DESIGN = re.compile(
    r"^(gamma|beta|scale|scales|shift|alpha|alpha_.*|gain|gains|.*_gain|.*_factor|factor|.*_size|.*_len|"
    r".*_count|.*_idx|.*_index|.*_shape|.*_dim|temperature|temp|logit_scale|ls|layer_scale|"
    r"layerscale|.*_scale|scale_.*|.*_gamma|gamma_.*|.*_alpha|.*_beta|running_.*|num_batches_tracked|"
    r"tau|eps|skip_weight|res_weight|rezero.*)$",
    re.I,
)
#: Parameters added to activations rather than multiplied: position embeddings, class and
#: register tokens, relative-position bias tables, learned queries. Zero is their usual start.
_ADDITIVE_TOKENS = frozenset({"pos", "position", "positional", "token", "tokens", "cls", "table", "rel",
                              "relative", "query", "queries", "prompt", "prompts", "register", "registers",
                              "mask", "latents", "latent", "memory", "null", "pad", "padding", "embed",
                              "embedding", "embeddings", "pointer", "rpb", "ape", "integer", "int"})
_TOKEN_SPLIT = re.compile(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])")

#: Owner names that are norm layers (``self.bn3.weight`` is γ).
_NORM_OWNER = re.compile(r"(^|_)(bn|gn|ln|in)\d*($|_)|norm|^rms|batchnorm", re.I)


def name_role(name: str) -> str:
    """Role of a parameter from its own name alone (``per_channel_scale2`` as ``per_channel_scale``)."""
    name = name.rstrip("0123456789_") or name
    if name.lower() in ("embed", "embedding", "embeddings"):
        return WEIGHT  # a lookup table itself (a compound like pos_embedding is additive)
    if any(t.lower() in _ADDITIVE_TOKENS for t in _TOKEN_SPLIT.split(name) if t):
        return SCALAR
    if _BIAS_NAME.match(name):
        return BIAS
    if _CONSTANT_BY_DESIGN.match(name):
        return SCALAR
    if _WEIGHT_NAME.match(name):
        return WEIGHT
    return UNKNOWN


def is_norm_owner_name(name: Optional[str]) -> bool:
    return bool(name) and bool(_NORM_OWNER.search(name))


