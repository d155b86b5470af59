"""Every sentence the linter says, in one place, with one vocabulary for biases and
activations (``tests/lint/test_messages.py`` pins them)."""

from __future__ import annotations

from initlint.knowledge.activations import Activation
from initlint.knowledge.base import BiasState

_BIAS_WORDS = {
    BiasState.NONE: "no bias",
    BiasState.FRAMEWORK_ZERO: "the default zero bias",
    BiasState.ZERO: "a zero bias",
    BiasState.NEGATIVE: "a negative constant bias",
    BiasState.POSITIVE: "a positive constant bias",
    BiasState.RANDOM: "its random bias",
}


def bias_words(bias: BiasState) -> str:
    return _BIAS_WORDS.get(bias, "its bias")


_SAY_SO = ("; if the zero is deliberate, say so (a zero_init_* helper or guard, a head or adapter name, a "
           "`# zero init` comment) or add `# noqa: INI001`")


def zero_weight(label: str, api: str, structure: str = "") -> str:
    """``structure``: what the code does with the output that no name can excuse."""
    if structure:
        return (f"{label} is initialised to zeros by {api}, and {structure}, whatever its name: its units start "
                f"identical and only random neighbours can tell them apart; initialise it randomly, or add "
                f"`# noqa: INI001` if the zero is deliberate")
    return (f"{label} is initialised to zeros by {api}: every unit of this layer starts identical and only random "
            f"neighbours can tell them apart{_SAY_SO}")


def recognised(message: str) -> str:
    """The message of a zero the code already says is deliberate (shown with ``--strict``,
    beside its reason): no advice to say what it says."""
    return message[: -len(_SAY_SO)] if message.endswith(_SAY_SO) else message


def constant_weight(label: str, value: str, api: str) -> str:
    return (f"{label} is set to the constant {value} by {api}: every unit of this layer starts identical and the "
            f"scale ignores the layer's fan-in; use a random init")


def every_norm(label: str, api: str, every: str) -> str:
    return (f"{label} (γ) is set to 0 on {every}, by {api}: with every norm scale at zero each normalised branch "
            f"outputs its shift only, and a chain of them feeding ReLUs is dead")


def every_layer(label: str, zero: bool, value: str, api: str, every: str, families: list) -> str:
    what = "zeros" if zero else f"the constant {value}"
    layers = f" (every {', '.join(families)})" if families else ""
    if zero:
        why = ("with every layer zero the output ignores the input, and each hidden layer's units start "
               "interchangeable (dead behind a ReLU or with zero biases): the network cannot learn")
    else:
        why = ("with every layer constant each hidden layer's units start identical and only their biases "
               "can tell them apart: the network learns as if it were far narrower, at a scale that ignores fan-in")
    return f"{label} is set to {what} by {api} on {every}{layers}: {why}"


def dead(label: str, api: str, act: Activation, where: str, bias: BiasState) -> str:
    """A zero weight feeding an activation flat at 0."""
    if bias.is_zero or bias == BiasState.NEGATIVE:
        return (f"{label} is zeroed by {api} and feeds {act.describe()} ({where}) with {bias_words(bias)}: "
                f"φ'(0) = 0, so every unit of this layer, and every gradient through it, is dead for good")
    return (f"{label} is zeroed by {api} and feeds {act.describe()} ({where}): each unit outputs "
            f"{act.describe()}(bias), so the units whose bias is ≤ 0 (about half of a random bias) never receive "
            f"a gradient")


def dead_norm(label: str, api: str, act: Activation, where: str) -> str:
    return (f"{label} (γ) is zeroed by {api} and the norm feeds {act.describe()} ({where}) with a zero shift: "
            f"every normalised unit outputs 0 there, so neither γ nor β ever receives a gradient (the zero-γ "
            f"residual idiom adds the branch back before its activation)")


def chain_next(label: str, api: str, other: str, bias: BiasState, between: str) -> str:
    return (f"{label} is zeroed by {api} and so is the next layer ({other}), with {bias_words(bias)}{between} "
            f"(φ(0) = 0): neither layer ever receives a gradient")


def chain_previous(label: str, api: str, other: str, between: str) -> str:
    return (f"{label} is zeroed by {api} and so is the layer before it ({other}), whose bias is zero or "
            f"absent{between}: its input is all zeros, so neither layer ever receives a gradient")


def between(acts: list) -> str:
    return f" and {acts[0].describe()} between them" if acts else ""


def attention(label: str, api: str, bias: BiasState) -> str:
    return (f"{label} is zeroed by {api}, which sets the query, key, value and output projections alike: the "
            f"value and output projections are then two chained zero layers with {bias_words(bias)}, so neither "
            f"ever receives a gradient")


def attention_query_key(label: str, api: str, bias: BiasState) -> str:
    return (f"{label} is zeroed by {api}, which sets the query and key projections alike: with {bias_words(bias)} "
            f"both start at zero, the attention logits are 0 and each projection's gradient is the other's output, "
            f"so neither ever trains (the attention stays uniform)")


def zero_product(label: str, api: str, partner: str) -> str:
    return (f"{label} is zeroed by {api} and its output is multiplied by {partner}, which starts at zero too: "
            f"a product of two zero factors gives neither of them a gradient")
