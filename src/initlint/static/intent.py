"""Intent signals: the ways real code says "this zero is on purpose" (DESIGN.md §1).

Everything here is data that users extend with ``[tool.initlint] intent-names``. A name is
split into lower-case tokens (``adaLN_modulation`` → ``adaln``, ``modulation``;
``ZeroConv2d`` → ``zero``, ``conv``, ``2d``) and matched against token sets, so that
``lora_B``, ``lora_up``, ``head_drop``... need no entry of their own.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

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
#: Distinctive enough to match inside a token (``LoRALinearLayer`` splits as lo/ra/linear/layer).
_DISTINCT_SUBSTRINGS = ("lora", "adapter", "controlnet", "adaln")

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
        for sub in _DISTINCT_SUBSTRINGS:
            if sub in low:
                return f"`{name}` is named like {TARGET_TOKENS[sub]}"
        for t in toks:
            if t in TARGET_TOKENS:
                return f"`{name}` is named like {TARGET_TOKENS[t]}"
            if t in extra_set:
                return f"`{name}` is listed in intent-names"
    return None


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
