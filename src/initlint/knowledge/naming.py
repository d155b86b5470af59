"""One naming vocabulary, shared by every framework and by both faces: what names say.

Roles from names (weight, bias, a norm's γ, scalars and additive tokens), and the ways real
code says "this zero is on purpose" (DESIGN.md §1): target names (heads, adapters, gates,
modulations), zero-saying scope and guard names, intent comments, output widths. Pure Python
(no libcst): the ``ast`` gate, the judge and ``check_model_init`` all read it. Users extend the
intent tokens with ``[tool.initlint] intent-names``.

A name is split into lower-case tokens (``adaLN_modulation`` → ``adaln``, ``modulation``;
``ZeroConv2d`` → ``zero``, ``conv``, ``2d``) and matched against token sets, so that
``lora_B``, ``lora_up``, ``head_drop``... need no entry of their own.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

# -- roles from names ------------------------------------------------------------------------

WEIGHT = "weight"
BIAS = "bias"
NORM = "norm parameter"
SCALAR = "scalar"
GRAD = "gradient"
SLICE = "slice"
BUFFER = "buffer"  # registered with register_buffer: never trained
UNKNOWN = "unknown"

#: ``b`` is a bias, ``B`` a matrix (LoRA's B): the single letter keeps its case.
_BIAS_NAME = re.compile(r"^(b|b_.*|(?i:bias|biases|.*_bias|.*_biases|bias_.*))$")
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
ADDITIVE_TOKENS = frozenset({"pos", "position", "positions", "positional", "posemb", "token", "tokens", "cls",
                             "table", "rel", "relative", "query", "queries", "prompt", "prompts", "register",
                             "registers", "mask", "latents", "latent", "memory", "null", "pad", "padding", "embed",
                             "embedding", "embeddings", "pointer", "rpb", "ape", "integer", "int"})
_WORD_SPLIT = re.compile(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])")
#: Names of state and statistics (metric accumulators, moving averages, counters, recurrent
#: states): never weights.
STATE_NAME = re.compile(
    r"^(moving_.*|.*_moving_.*|.*_mean|mean|.*_var|var|.*_variance|variance|count|counts|.*_count|total|"
    r".*_total|num_.*|number_of_.*|step|steps|.*_step|ema_.*|.*_ema|.*_state|state|.*_buffer|.*_accumulator|"
    r"aggregate_.*|.*_scale|scale|.*_log|.*_ids|[hc]0|.*_[hc]0|hx|cx|init(ial)?_(hidden|state|h|c|memory).*)$", re.I)
#: Attribute names that are a layer's tensors, not submodules (``self.weight[idx]`` is a slice,
#: ``self.lora_B[name]`` a ParameterDict entry).
TENSOR_ATTRIBUTES = frozenset({"weight", "bias", "data", "kernel", "grad"})

#: Owner attribute names that are norm layers (``self.bn3.weight`` is γ).
_NORM_OWNER = re.compile(r"(^|_)(bn|gn|ln|in)\d*($|_)|norm|^rms|batchnorm", re.I)
#: Class names of norm layers, whoever defines them (EvoNorm2dB0, FilterResponseNormAct2d,
#: InplaceAbn, ConvNextV2GRN, LayerNorm2d, BNReLU).
_NORM_CLASS = re.compile(r"Norm|GRN|Abn|ABN|^BN|^LN")
#: Short class names of weight-layer families in string guards (``if "Conv" in classname``).
FAMILY_WORDS = ("Linear", "Conv", "Embedding", "LSTM", "GRU", "RNN", "Dense")


def name_role(name: str) -> str:
    """Role of a parameter from its own name alone (``per_channel_scale2`` as ``per_channel_scale``)."""
    name = name.rstrip("0123456789_") or name
    if name.lower() in ("embed", "embedding", "embeddings"):
        return WEIGHT  # a lookup table itself (a compound like pos_embedding is additive)
    if any(t.lower() in ADDITIVE_TOKENS for t in _WORD_SPLIT.split(name) if t):
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


def is_norm_class_name(name: Optional[str]) -> bool:
    return bool(name) and bool(_NORM_CLASS.search(name))


def custom_parameter_is_weight(name: Optional[str], ndim: Optional[int]) -> bool:
    """Whether a parameter made by ``nn.Parameter``/``add_weight``/``self.param``/
    ``hk.get_parameter`` is a weight whose units can be interchangeable. Names decide what is
    constant by design (bias, norm scale, token, position embedding, state); a literal shape
    decides the rest (2-D and up is a weight, 0-D/1-D is not); a name like
    ``kernel``/``w``/``embeddings`` decides when the shape is not literal."""
    if name:
        if STATE_NAME.match(name) or name_role(name) in (BIAS, SCALAR):
            return False
    if ndim is not None:
        return ndim >= 2
    return bool(name) and name_role(name) == WEIGHT



# -- intent ------------------------------------------------------------------------------

#: Tokens in a target's name that mark an output/adapter/modulation layer, with the reason.
TARGET_TOKENS: dict[str, str] = {
    "head": "a classifier head", "heads": "a classifier head", "classifier": "a classifier head",
    "cls": "a classifier head", "clf": "a classifier head", "logits": "an output layer",
    "out": "an output projection", "output": "an output projection", "outputs": "an output projection",
    "final": "the final layer", "last": "the last layer of a branch", "readout": "an output layer",
    "lora": "a low-rank adapter (LoRA B starts at zero)", "adapter": "an adapter",
    "hada": "a LoHa adapter", "lokr": "a LoKr adapter", "oft": "an OFT adapter",
    "modulation": "an adaLN-Zero modulation", "adaln": "an adaLN-Zero modulation", "film": "a FiLM modulation",
    "gate": "a gate", "gating": "a gate", "gates": "a gate", "router": "a router", "routing": "a router",
    "zero": "a layer named zero", "zeros": "a layer named zero",
    "offset": "deformable-attention offsets", "offsets": "deformable-attention offsets",
    "controlnet": "a ControlNet zero convolution", "skip": "a skip branch", "residual": "a residual branch",
    "tuner": "a PEFT tuner layer (adapter deltas start at zero)",
    "fc2": "the last layer of a two-layer MLP branch",
    "pred": "a prediction head", "predictor": "a prediction head", "score": "a scoring head",
    "c_proj": "a residual output projection",
    "embed": "an embedding table (a lookup: each row trains on its own)",
    "embedding": "an embedding table (a lookup: each row trains on its own)",
    "codebook": "a codebook (a lookup table)",
}
#: Two-token names (joined with ``_``) that are output projections of a residual branch.
TARGET_PAIRS: dict[str, str] = {
    "proj_out": "an output projection", "to_out": "an output projection", "o_proj": "an output projection",
    "out_proj": "an output projection", "c_proj": "a residual output projection",
    "conv_out": "an output convolution", "down_proj": "the last layer of an MLP branch",
    "lora_b": "LoRA's B matrix (zero by design)", "lora_up": "LoRA's up matrix (zero by design)",
    "dense_out": "an output projection", "wo": "an output projection",
    "linear_o": "an output projection", "attention_weights": "deformable-attention weights (zero: uniform sampling)",
    "sampling_offsets": "deformable-attention offsets",
}
#: Tokens in a layer's output width that make it an output layer: ``nn.Linear(d, num_classes)``,
#: ``nn.Dense(self.num_actions)``.
OUTPUT_WIDTH_TOKENS: dict[str, str] = {
    "classes": "a classifier head", "labels": "a classifier head", "vocab": "an output projection over the vocabulary",
    "actions": "a policy head", "logits": "an output layer", "outputs": "an output layer",
}
#: Tokens of the names a modulation is split into (DiT: shift/scale/gate; FiLM: gamma/beta).
MODULATION_TOKENS = frozenset({"shift", "scale", "gate", "gamma", "beta", "alpha", "mod", "modulation"})
#: Distinctive enough to match inside a token (``LoRALinearLayer`` splits as lo/ra/linear/layer).
DISTINCT_SUBSTRINGS = ("lora", "adapter", "controlnet", "adaln")

#: Tokens that, in a *function, class or guard* name, say zero is intended.
ZERO_TOKENS = frozenset({"zero", "zeros", "zeroed", "zeroinit", "rezero", "fixup", "skipinit", "identity"})

#: A comment on or just above the init that says the zero is meant.
INTENT_COMMENT = re.compile(
    r"zero[- _]?init|initiali[sz]ed? (?:to|as|with) zeros?|zero[- ]initiali[sz]|(?:starts?|begins?) (?:as|at|from) "
    r"(?:the |an )?(?:identity|zero|no-?op)|identity (?:at|on) init|no-?op at init|zero[- ]conv", re.I)

_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def tokens(name: str) -> list[str]:
    return [t.lower() for t in _SPLIT.split(name) if t]


def says_zero(name: Optional[str]) -> bool:
    """``zero_init_last``, ``ZeroConv2d``, ``zero_init_residual``, ``rezero``..."""
    return bool(name) and any(t in ZERO_TOKENS for t in tokens(name))


def target_reason(names: Iterable[str], extra: Iterable[str] = ()) -> Optional[str]:
    """Why a target named like this is a deliberate zero init, or None."""
    extra_set = {e.lower() for e in extra}
    for name in names:
        if not isinstance(name, str):
            continue
        low = name.lower()
        if low in extra_set:
            return f"`{name}` is listed in intent-names"
        toks = tokens(name)
        for a, b in zip(toks, toks[1:]):
            if f"{a}_{b}" in TARGET_PAIRS:
                return f"`{name}` is named like {TARGET_PAIRS[f'{a}_{b}']}"
        if low in TARGET_PAIRS:
            return f"`{name}` is named like {TARGET_PAIRS[low]}"
        for sub in DISTINCT_SUBSTRINGS:
            if sub in low:
                return f"`{name}` is named like {TARGET_TOKENS[sub]}"
        for t in toks:
            if t in TARGET_TOKENS:
                return f"`{name}` is named like {TARGET_TOKENS[t]}"
            if t in extra_set:
                return f"`{name}` is listed in intent-names"
    return None


#: Paths of test code: a constant there is a fixture a test computes its expectation from.
TEST_PATH = re.compile(r"(^|[/\\])(tests?|testing)[/\\]|(^|[/\\])(test_[^/\\]*|[^/\\]*_test|conftest)\.py$")


def is_test_path(path: str) -> bool:
    return bool(TEST_PATH.search(path))


#: How many lines above an init a comment may say that its zero is meant.
COMMENT_REACH = 5


def comment_reason(lines: "list[str]", line: int, above: int = COMMENT_REACH) -> Optional[str]:
    """Why a comment on ``line`` (1-based) or the few lines above it marks the zero as meant."""
    for i in range(max(0, line - 1 - above), min(line, len(lines))):
        text = lines[i]
        own_line = i == line - 1
        hash_at = text.find("#") if own_line else (0 if text.lstrip().startswith("#") else -1)
        if hash_at >= 0 and INTENT_COMMENT.search(text[hash_at:]):
            return f"a comment says so: `{text[hash_at:].strip()[:60]}`"
    return None


def scope_reason(kind: str, name: Optional[str], extra: Iterable[str] = ()) -> Optional[str]:
    """Why an enclosing function/class/guard name marks the init as deliberate, or None."""
    if not name:
        return None
    if says_zero(name):
        return f"inside {kind} `{name}`, whose name says zero"
    low = name.lower()
    if any(e.lower() == low or e.lower() in tokens(name) for e in extra):
        return f"inside {kind} `{name}`, listed in intent-names"
    return None
