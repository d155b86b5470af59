"""INI004, once for every framework: a zero weight whose units never receive a gradient.

Read from the layer's flows (``model.flow``): its own activation and the activations its
output meets, then the next layer. A zero weight feeding an activation with φ'(0) = 0 is dead
(every unit with a zero, absent or negative bias; about half of them with a random bias); two
chained zero layers with a zero/absent bias on the first and φ(0) = 0 between them are both
dead; a zero output multiplied by another zero factor is dead too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from initlint.knowledge.activations import ACTIVATIONS, Activation
from initlint.knowledge.base import ATTENTION, ZERO_OUTPUT_KINDS, BiasState
from initlint.lint.frameworks.base import InitEvent, LayerRef
from initlint.lint.judge import messages as M
from initlint.lint.model.flow import Flow
from initlint.lint.model.literals import get_arg, short, source_of

if TYPE_CHECKING:
    from initlint.lint.judge.judge import Judge


def killing(chain: list) -> Optional[Activation]:
    """The first activation with φ'(0) = 0 that still sees a zero input."""
    for act in chain:
        if act.kills_gradient_at_zero:
            return act
        if act.phi0 != 0:
            return None
    return None


def own_activation(j: "Judge", layer: Optional[LayerRef]) -> list:
    """The activation a layer applies itself (Keras ``Dense(8, activation="relu")``)."""
    if layer is None or layer.spec is None or not isinstance(layer.ctor, cst.Call):
        return []
    spec = layer.spec
    if spec.activation is None:
        return []
    expr = get_arg(layer.ctor, spec.activation)
    act = j.reader.activation(expr, layer.scope) if expr is not None else None
    if act is None and expr is None and spec.default_activation:
        act = ACTIVATIONS.get(spec.default_activation)
    return [act] if act is not None else []


def single(j: "Judge", ev: InitEvent, layer: Optional[LayerRef], flows: list, bias: BiasState) -> Optional[str]:
    """Why the zero weight of one layer is dead, or None."""
    if not ev.zero:
        return None
    label = ev.label()
    spec = layer.spec if layer is not None else None
    if spec is not None and spec.kind == ATTENTION:
        # one keyword initialises the q/k/v/output projections of Keras and Flax attention
        return _attention(j, ev, layer, bias) if ev.keyword else None
    if spec is not None and (spec.kind not in ZERO_OUTPUT_KINDS or (ev.keyword and ev.keyword not in spec.dead_keywords)):
        return None
    own = own_activation(j, layer)
    for flow in flows or [Flow()]:
        chain = own + flow.acts
        killer = killing(chain)
        if killer is not None:
            if bias == BiasState.POSITIVE:
                return None  # each unit outputs φ(b) > 0 and passes gradients: symmetric, not dead
            where = "its own activation" if own and killer is own[0] else _where(layer)
            return M.dead(label, ev.api, killer, where, bias)
        if flow.next_layer is not None and bias.is_zero and all(a.phi0 == 0 for a in chain):
            other = j.zeroing(flow.next_layer)
            if other is not None and other is not ev and _dense(other, flow.next_layer):
                return M.chain_next(label, ev.api, other.label(), bias, M.between(chain))
        factors = flow.scales + ([flow.use.partner] if flow.use.kind == "mul" and flow.use.partner is not None else [])
        for factor in factors:
            partner = j.zero_factor(factor, ev.site.scope, ev)
            if partner is not None:
                return M.zero_product(label, ev.api, partner)
    if layer is not None:
        for prev, prev_flow in j.feeding(layer):
            if prev is ev or not prev.zero:
                continue
            prev_chain = own_activation(j, j.layer_of(prev)) + prev_flow.acts
            if j.bias_of(prev).is_zero and all(a.phi0 == 0 for a in prev_chain) and _dense(prev, j.layer_of(prev)):
                return M.chain_previous(label, ev.api, prev.label(), M.between(prev_chain))
    return None


def norm(j: "Judge", ev: InitEvent, layer: Optional[LayerRef]) -> Optional[str]:
    """A norm's γ at zero outputs its shift β everywhere: fed straight into an activation flat at
    0 with β = 0 (the default), no unit and no gradient survives. The zero-γ residual idiom
    adds the branch back *before* its activation, and is not this."""
    if not ev.zero or layer is None:
        return None
    shift = j.shift_of(ev)
    for flow in j.reader.flows(layer):
        act = killing(flow.acts)
        if act is not None and shift in (BiasState.ZERO, BiasState.NEGATIVE):
            return M.dead_norm(ev.label(), ev.api, act, _where(layer))
    return None


def _dense(ev: InitEvent, layer: Optional[LayerRef]) -> bool:
    """A layer whose zero weight gives a zero output (a product with its input, or a lookup)."""
    spec = layer.spec if layer is not None else None
    return spec is None or (spec.kind in ZERO_OUTPUT_KINDS and (not ev.keyword or ev.keyword in spec.dead_keywords))


def _where(layer: Optional[LayerRef]) -> str:
    if layer is not None and layer.kind == "element":
        return f"in `{layer.container_text}`"
    if layer is not None and layer.cls is not None:
        return "in forward"
    return "the next operation"


def _attention(j: "Judge", ev: InitEvent, layer: LayerRef, bias: BiasState) -> Optional[str]:
    """One initializer for the q/k/v(/output) projections. With zero biases the query and key
    both start at zero: the logits are 0 and each one's gradient is the other's output, so
    neither ever trains (attention stays uniform), whatever the output projection does; and
    without an init of its own the output projection is a second zero layer after the value."""
    spec = layer.spec
    if ev.keyword and spec.out_kernel and ev.keyword == spec.out_kernel:
        return None
    if not bias.is_zero:
        return None
    if ev.output_init_random:
        return M.attention_query_key(ev.label(), ev.api, bias)
    return M.attention(ev.label(), ev.api, bias)


def in_loop(j: "Judge", ev: InitEvent, ctx) -> Optional[str]:
    """Every layer of a container literal that a loop zeroes: dead when one of them feeds an
    activation flat at 0."""
    loop = ctx.every_loop
    if loop is None or not loop.elements:
        return None
    scope = ev.site.scope
    zeroed = ev.zeroes_bias or j.bias_zeroed_in_loop(ev)
    for i, el in enumerate(loop.elements):
        if not j.reader.is_layer_ctor(el, scope):
            continue
        name = loop.container_text or loop.source
        layer = LayerRef("element", scope, ctor=el, container=None, elements=loop.elements, index=i,
                         container_text=name)
        found = j.reader.resolver.layer(j.reader.quals(el.func, scope))
        if found is not None:
            layer.spec, layer.framework = found[1], found[2]
        flow = j.reader.sequential(layer)
        act = killing(flow.acts)
        if act is not None:
            bias = BiasState.ZERO if zeroed else j.ctor_bias(layer)
            where = f"`{name}[{i}]` feeds `{short(source_of(loop.elements[i + 1]), 40)}`"
            return M.dead(f"{ev.label()} of every layer of `{name}`", ev.api, act, where, bias)
    return None
