"""Whether a constant weight is deliberate, and why: structure first, names second.

Structure is what the code does with the layer's output (``model.flow``): split into
modulation chunks, ``1 + y``, added back to its input (a residual branch closes), multiplying a
gate, the last layer of a container or of the module, a chosen constant bias. A layer whose
output feeds another layer directly is a hidden layer: no name excuses a constant there.
Names come next: a zero-saying guard, helper, function or class; a target named like a head,
adapter, gate or modulation (``knowledge.naming``); an output width such as ``num_classes``.
Each signal is one row of ``SIGNALS``, tried in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from initlint.knowledge import flax as flax_knowledge
from initlint.knowledge.base import EMBEDDING, BiasState
from initlint.knowledge.naming import (
    MODULATION_TOKENS, OUTPUT_WIDTH_TOKENS, scope_reason, target_reason, tokens,
)
from initlint.lint.frameworks.base import InitEvent, LayerRef
from initlint.lint.judge import context as C
from initlint.lint.judge.roles import class_names
from initlint.lint.model.flow import Flow
import libcst as cst

from initlint.lint.model.literals import get_arg, names_in, number, short

if TYPE_CHECKING:
    from initlint.lint.judge.judge import Judge

_FORWARD_OUTPUTS = frozenset({"forward", "__call__", "call", "_forward"})
_GATES = frozenset({"sigmoid", "hardsigmoid", "softmax", "tanh", "sparse sigmoid"})


@dataclass
class Evidence:
    """What the judge knows about one constant weight, for the signals to read."""

    ev: InitEvent
    ctx: C.Context
    layer: Optional[LayerRef]
    flows: list
    bias: BiasState
    extra_names: tuple  # names from the guards that select this layer (``name == head_name``)


# -- structure -------------------------------------------------------------------------------


def _identity_use(flow: Flow) -> bool:
    """``1 + y``, or ``exp(y)`` multiplying: a zero output leaves the signal as it is."""
    return flow.use.kind == "one_plus" or (flow.use.kind == "mul" and any(a.phi0 == 1 for a in flow.acts))


def _scaling_chunk(flow: Flow, e: Evidence) -> Optional[Flow]:
    """The chunk of a split output that multiplies the forward's data as it is (FiLM's
    ``x * gamma + beta`` with no ``1 +``): zero, it zeroes the signal."""
    if not e.ev.zero:
        return None
    for c in flow.use.chunks:
        if c.use.kind == "mul" and not c.acts and c.use.partner_is_data():
            then = c.use.then
            if isinstance(then, cst.BinaryOperation) and isinstance(then.operator, (cst.Add, cst.Subtract)):
                other = then.left if then.right is not None and _contains(then.right, c.use.partner) else then.right
                if not set(names_in(other)) & set(flow.use.names):
                    continue  # x + gate * attn(x): a gated residual branch (adaLN-Zero's gate)
            return c
    return None


def _contains(expr: cst.CSTNode, node: Optional[cst.CSTNode]) -> bool:
    if node is None:
        return False
    if expr is node:
        return True
    return any(_contains(child, node) for child in expr.children)


def _modulation(j: "Judge", e: Evidence) -> Optional[str]:
    for flow in e.flows:
        if flow.use.kind == "split":
            if not any(_identity_use(chunk) for chunk in flow.use.chunks) and _scaling_chunk(flow, e):
                continue  # tokens * gamma + beta: the structure says the product starts at zero
            if any(t in MODULATION_TOKENS for n in flow.use.names for t in tokens(n)) or \
                    any(_identity_use(chunk) for chunk in flow.use.chunks):
                return (f"its output is split into `{', '.join(flow.use.names)}`, consumed as the identity at zero: "
                        f"an adaLN-Zero / FiLM / coupling modulation that starts as the identity")
        if _identity_use(flow):
            return f"its output enters as `{short(flow.use.text, 40)}`: a modulation that starts as the identity"
    return None


def _residual(j: "Judge", e: Evidence) -> Optional[str]:
    for flow in e.flows:
        if flow.use.kind in ("add", "sub") and not flow.acts and \
                j.zero_factor(flow.use.partner, e.ev.site.scope, e.ev) is None:
            return (f"its output is added in `{short(flow.use.text, 40)}`: it closes a residual branch, "
                    f"which starts as the identity")
    return None


def _gate(j: "Judge", e: Evidence) -> Optional[str]:
    """A product through a gate activation starts at φ(0) (a sigmoid gate half open), or at the
    chosen bias. A raw zero output multiplying the signal starts it at 0: not a gate, a bug
    (FiLM's ``x * gamma + beta`` with gamma zero)."""
    for flow in e.flows:
        if flow.use.kind == "mul":
            gate = next((a for a in flow.acts if a.name in _GATES), None)
            if gate is not None:
                return f"its output multiplies through {gate.describe()} in `{short(flow.use.text, 40)}`: a gate"
            if e.bias == BiasState.POSITIVE:
                return (f"its output multiplies in `{short(flow.use.text, 40)}` and its bias is a chosen positive "
                        f"constant: a scale that starts at that constant")
    return None


def _last_layer(j: "Judge", e: Evidence) -> Optional[str]:
    for flow in e.flows:
        if flow.returned_by in _FORWARD_OUTPUTS and flow.next_layer is None:
            owner = e.layer.cls.name if e.layer and e.layer.cls else (e.ctx.cls.name if e.ctx.cls is not None else None)
            if owner:
                return f"its output is what `{owner}.{flow.returned_by}` returns: the last layer of the module"
        if flow.returned_by_builder and flow.next_layer is None:
            return f"its output is what `{flow.returned_by}` returns: the last layer of the network it builds"
        if flow.last_in and flow.next_layer is None and not (flow.use.kind == "split" and _scaling_chunk(flow, e)):
            return f"the last layer of `{flow.last_in}`"
    return None


def _chosen_bias(j: "Judge", e: Evidence) -> Optional[str]:
    """A zero weight under a bias the code chose (an identity affine transform, a gate's -2)
    makes the layer start as that constant function, where it gates or is copied as is."""
    if not e.ev.zero or not e.bias.is_chosen_constant or any(f.next_layer is not None for f in e.flows):
        return None
    gated = any(f.acts and f.acts[0].name in _GATES for f in e.flows)
    if e.bias == BiasState.CHOSEN or gated:
        return "its bias is set to a chosen value: the layer starts as that constant function, on purpose"
    return None


def _not_fan_in(j: "Judge", e: Evidence) -> Optional[str]:
    """A parameter the forward adds to the signal, or multiplies it by elementwise: not a
    weight applied to an input, so it has no units to be symmetric (a learned initial state,
    an additive delta, a per-channel scale)."""
    if e.layer is None or not e.layer.param or not e.flows:
        return None
    deltas = [f for f in e.flows if f.use.kind == "param_delta"]
    if deltas and len(deltas) == len(e.flows) and not any(j.constant_at(f.use.partner, e.ev) for f in deltas):
        return f"it is a delta added to another weight (`{deltas[0].use.text}`): the sum starts as that weight"
    kinds = {f.use.kind for f in e.flows}
    if kinds <= {"param_add", "param_mul"}:
        how = "added to the signal" if kinds == {"param_add"} else "an elementwise scale" \
            if kinds == {"param_mul"} else "added to and multiplying the signal elementwise"
        return f"the forward uses it as {how} (`{e.flows[0].use.text}`): not a fan-in weight"
    return None


def _lookup_table(j: "Judge", e: Evidence) -> Optional[str]:
    """An embedding is indexed, not applied to an input: a row gets the gradient of the
    positions that look it up and nothing else, so rows never share an update, and a zero
    table (learned offsets, reference points, codebooks) starts as "no offset"."""
    layer = e.layer
    if layer is not None and layer.spec is not None and layer.spec.kind == EMBEDDING:
        return "it is an embedding table: looked up by index, not applied to an input, each row trains on its own"
    return None


def _single_unit(j: "Judge", e: Evidence) -> Optional[str]:
    """``nn.Linear(d, 1)``, ``Embedding(n, 1)``: one output unit has no twin to be symmetric with."""
    layer = e.layer
    if layer is None or layer.spec is None or layer.spec.width is None or not isinstance(layer.ctor, cst.Call):
        return None
    if number(get_arg(layer.ctor, layer.spec.width)) == 1:
        return "it has a single output unit: nothing to be symmetric with"
    return None


def _last_index(j: "Judge", e: Evidence) -> Optional[str]:
    """``seq[-1]``: the last element of a branch, wherever the container is built."""
    owner = j.owner_of(e.ev)
    if owner is not None and owner.parts and owner.parts[-1] == -1:
        return f"`{e.ev.target.short()}` is the last layer of a branch"
    return None


#: Signals read from what the code does with the layer's output.
STRUCTURE: tuple[Callable, ...] = (_not_fan_in, _lookup_table, _single_unit, _modulation, _residual, _gate, _last_layer, _last_index,
                                   _chosen_bias)

# -- names -------------------------------------------------------------------------------------


def _value_guard(j: "Judge", e: Evidence) -> Optional[str]:
    return f"guarded by `{e.ev.value_guard}`" if e.ev.value_guard else None


def _output_kernel(j: "Judge", e: Evidence) -> Optional[str]:
    if e.ev.keyword in flax_knowledge.OUTPUT_KERNEL_KEYWORDS:
        return f"`{e.ev.keyword}` initialises only the output projection, the end of a residual branch"
    return None


def _scopes(j: "Judge", e: Evidence) -> Optional[str]:
    extra = j.intent_names
    ev, ctx = e.ev, e.ctx
    if ev.helper is not None:
        r = scope_reason("helper", ev.helper.name, extra) or target_reason([ev.helper.name], extra)
        if r:
            return r
    if ctx.function is not None:
        r = scope_reason("function", ctx.function.name, extra)
        if r:
            return r
    for fn in j.enclosing_functions(ev):
        if ctx.function is None or fn is not ctx.function.node:
            r = scope_reason("function", fn.name.value, extra)
            if r:
                return r
    if ctx.cls is not None:
        r = scope_reason("class", ctx.cls.name, extra)
        if r:
            return r
    for g in ctx.zero_flags():
        return f"guarded by `{g.text}`"
    return None


def _target_names(j: "Judge", e: Evidence) -> Optional[str]:
    ev = e.ev
    names: list = list(e.extra_names) + list(ev.names)
    target = ev.target
    if target is not None:
        attrs = [a for a in target.attrs if a != "weight"] if ev.on == "tensor" else list(target.attrs)
        names += list(reversed(attrs))
        if target.root not in ("self", "cls", "m", "module", "layer"):
            names.append(target.root)
        if target.root == "self":
            names += class_names(e.ctx)
    assigned = j.assigned_name(ev)
    if assigned:
        names.append(assigned)
    return target_reason(names, j.intent_names)


def _width(j: "Judge", e: Evidence) -> Optional[str]:
    """``nn.Linear(d, num_classes)``, ``nn.Dense(self.num_actions)``: a layer sized by the
    number of classes, labels, actions or tokens is an output layer."""
    layer = e.layer
    if layer is None or layer.spec is None or layer.spec.width is None or layer.ctor is None:
        return None
    expr = get_arg(layer.ctor, layer.spec.width)
    if expr is None:
        return None
    widths = names_in(expr, skip=frozenset({"self", "cls", "config", "cfg"}))
    for w in widths:
        for tok in tokens(w):
            if tok in OUTPUT_WIDTH_TOKENS:
                return f"its width is `{w}`: {OUTPUT_WIDTH_TOKENS[tok]}"
    reason = target_reason(widths)
    return f"its width {reason}" if reason else None


#: Signals read from names, once structure has not decided.
NAMES: tuple[Callable, ...] = (_output_kernel, _scopes, _target_names, _width)


def _veto(e: Evidence) -> str:
    """What the structure shows against any name: the output feeds another layer (a hidden
    layer), or multiplies the signal as it is (the product starts at zero)."""
    for flow in e.flows:
        if flow.next_layer is not None:
            return f"its output feeds {flow.use.text or f'`{flow.next_layer.text()}`'}: a hidden layer"
    for flow in e.flows:
        if flow.use.kind == "mul" and e.ev.zero and flow.use.partner_is_data():
            return f"its output multiplies the signal as it is (`{short(flow.use.text, 40)}`): the product starts at zero"
        chunk = _scaling_chunk(flow, e) if flow.use.kind == "split" else None
        if chunk is not None and not any(_identity_use(c) for c in flow.use.chunks):
            return (f"its output is split and a chunk multiplies the signal as it is (`{short(chunk.use.text, 40)}`): "
                    f"the product starts at zero")
    return ""


def reason(j: "Judge", e: Evidence) -> tuple[Optional[str], str]:
    """(why the constant is deliberate, or None; what the structure shows against every name,
    or ""). A switch in the code itself (``zeros if self.head_zeroinit else ...``) says it
    first."""
    guard = _value_guard(j, e)
    if guard:
        return guard, ""
    for signal in STRUCTURE:
        found = signal(j, e)
        if found:
            return found, ""
    veto = _veto(e)
    if veto:
        return None, veto
    for signal in NAMES:
        found = signal(j, e)
        if found:
            return found, ""
    return None, ""
