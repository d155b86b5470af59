"""The linter's naming vocabulary, read by the runtime: one copy of what names say, for both faces.

``target_reason`` says why a name marks a zero init as deliberate (a head, an adapter, a gate,
a modulation, offsets...); ``is_norm_class_name`` recognises norm layers by class name. Both
are pure Python (no libcst). The runtime adds what only weights can show: names of *hidden*
layers of a gated MLP, which contain "gate" without being gates (``gate_proj``,
``gate_up_proj``), veto a zero's intent.
"""

from __future__ import annotations

from typing import Iterable, Optional

from initlint.knowledge.naming import is_norm_class_name, target_reason, tokens

#: Deliberate zero-init targets the model zoo met that the linter's vocabulary does not name yet
#: (to move into ``initlint.knowledge.naming`` with the linter's own rows): Gemma 3's and
#: T5Gemma 2's ``multi_modal_projector`` (the image tokens start silent), xLSTM's gate
#: pre-activations ``igate_preact``/``fgate_preact``/``ogate_preact``.
ZOO_TARGET_TOKENS: dict[str, str] = {
    "projector": "a multimodal projector (a new input starts silent)",
    "igate": "a gate", "fgate": "a gate", "ogate": "a gate",
}

#: innermost module names of hidden layers: a zero there is never an idiom, whatever encloses it
HIDDEN_LAYER_NAMES = frozenset({
    "gate_proj", "gate_up_proj", "up_proj", "w1", "w3", "fc1", "c_fc", "wi", "wi_0", "wi_1", "lin1",
    "dense_h_to_4h", "fc_in", "intermediate", "linear1", "ff1", "in_proj",
})


def intent_reason(path: str, extra: Iterable[str] = ()) -> Optional[str]:
    """Why a tensor at ``path`` (``model.layers.0.mlp.gate.weight``) is zero on purpose, by its name.

    The names looked at: the tensor's own name unless it is a plain ``weight``, and the two
    innermost module names that are not list indices (``adaLN_modulation.1.weight`` →
    ``adaLN_modulation``; ``lora_B.default.weight`` → ``default``, ``lora_B``). A hidden-layer
    name innermost vetoes the rest. Class names are not read: a class called ``ZeroLayer`` may
    well be used as a hidden layer, which only the linter can see in the code.
    """
    parts = path.split(".")
    leaf, modules = parts[-1], [p for p in parts[:-1] if not p.isdigit()]
    names = [] if leaf in ("weight", "kernel", "w") else [leaf]  # (Haiku's weight is ``w``)
    names += list(reversed(modules[-2:]))
    if names and names[0].lower() in HIDDEN_LAYER_NAMES:
        return None
    reason = target_reason(names, extra)
    if reason is None:
        for name in names:
            hit = next((t for t in tokens(name) if t in ZOO_TARGET_TOKENS), None)
            if hit:
                return f"`{name}` is named like {ZOO_TARGET_TOKENS[hit]}"
    return reason


def last_layer_reason(container: str) -> str:
    """Why the last weight layer of a nested ``Sequential``/``ModuleList`` may be zero on purpose
    (the runtime twin of the linter's ``self.mlp[-1]``)."""
    return f"it is the last layer of `{container}`, the last layer of a branch"


__all__ = ["HIDDEN_LAYER_NAMES", "ZOO_TARGET_TOKENS", "intent_reason", "is_norm_class_name", "last_layer_reason",
           "target_reason", "tokens"]
