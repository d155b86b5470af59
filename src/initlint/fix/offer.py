"""Which fix a finding is offered: the analysis is run again on the whole file with libcst, each
finding is matched to the verdict reported at its place, and the event behind that verdict says
what to edit. The rule says the applicability (``catalog.Rule.fix``); a finding recognised as a
deliberate idiom is only ever display-only.

What is offered (and, as importantly, what is not) is written in the catalog's ``_FIX_EDIT``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from initlint.catalog import RULES
from initlint.finding import Finding, Settings
from initlint.fix.codemod import Action, DeleteStatement, RemoveArgument, ReplaceStatement
from initlint.fix.model import Applicability
from initlint.knowledge import torch as T
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.model.literals import path_of, short, source_of
from initlint.lint.model.resolve import canonical
from initlint.lint.model.scopes import Scope

#: A layer's own parameters, by name: what its constructor initialises (``weight``,
#: ``weight_ih_l0``, ``in_proj_weight``; Keras ``kernel``). Anything else may have no init
#: but the one a fix would delete.
_LAYER_PARAMETER_WORDS = ("weight", "kernel")
#: How a name the file binds reaches ``torch.nn.init.zeros_``: (what it names, the rest of
#: the spelling, preference), ``nn.init.zeros_`` first.
_ZEROS_SPELLINGS = (
    ("torch.nn", ".init.zeros_", 0),
    ("torch.nn.init", ".zeros_", 1),
    ("torch", ".nn.init.zeros_", 2),
    ("torch.nn.init.zeros_", "", 3),
)


@dataclass(frozen=True, eq=False)
class Offer:
    """A finding, the edit that fixes it, how to call that edit, and its applicability."""

    finding: Finding
    title: str
    applicability: Applicability
    action: Action = field(repr=False)


def offers(module: cst.Module, source: str, path: str, findings: "list[Finding]", settings: Settings) -> "list[Offer]":
    """The fix offered for each of ``findings`` (of ``source``, which ``module`` was parsed
    from) that has one, in the order of ``findings``."""
    from initlint.lint.analyzer import judge_module, node_positions

    fixable = [f for f in findings if RULES.get(f.code) is not None and RULES[f.code].fix is not None]
    if not fixable:
        return []
    facts, judged = judge_module(module, path, settings)
    if not judged:
        return []
    where = node_positions(module, source, facts, [v.node for _, v in judged])
    at: dict[tuple, tuple[InitEvent, str]] = {}
    for ev, verdict in judged:
        at[(*where[id(verdict.node)], verdict.code)] = (ev, verdict.code)
    out = []
    for finding in fixable:
        found = at.get((finding.line, finding.col, finding.code))
        if found is None:
            continue
        made = _action(found[0], finding.code)
        if made is None:
            continue
        action, title = made
        level = Applicability(RULES[finding.code].fix.applicability)
        if finding.idiom is not None:
            level = Applicability.DISPLAY_ONLY  # recognised as deliberate: never applied
        out.append(Offer(finding, title, level, action))
    return out


def _action(ev: InitEvent, code: str) -> "Optional[tuple[Action, str]]":
    if ev.keyword is not None:
        return _without_keyword(ev)
    return _without_init(ev, code)


def _without_keyword(ev: InitEvent) -> "Optional[tuple[Action, str]]":
    """Keras/Flax/Haiku: the layer's kernel keyword goes, and its default init comes back."""
    call = ev.report_node
    if not isinstance(call, cst.Call) or ev.value_guard is not None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == ev.keyword:
            if isinstance(arg.value, cst.IfExp):
                return None  # the other branch is a choice of the code's own
            title = f"Remove `{ev.keyword}={short(source_of(arg.value), 40)}` (the layer keeps its default initializer)"
            return RemoveArgument(call, arg), title
    return None  # it came through **kwargs


def _without_init(ev: InitEvent, code: str) -> "Optional[tuple[Action, str]]":
    """torch: the statement that zeroes (or fills) a layer's weight goes."""
    if ev.helper is not None:
        return None  # the file's own helper may do more than this; editing it reaches its other callers
    node = ev.report_node
    parent = ev.site.ancestors[-1] if ev.site.ancestors else None
    if isinstance(node, cst.Assign):
        if len(node.targets) != 1:
            return None
        statement: cst.BaseSmallStatement = node
    elif isinstance(parent, cst.Expr) and parent.value is node:
        statement = parent
    else:
        return None  # part of a larger expression (a lambda, an assignment, nn.Parameter(...))
    if not _a_layers_own(ev, code):
        return None
    text = short(source_of(statement), 60)
    if ev.on == "layer" and ev.zeroes_bias and not _a_parameter_of_a_loop(ev):
        layer = _target_expression(ev)
        if layer is None:
            return None
        keep = _bias_zeroing(layer, ev.site.scope)
        block = f"if {layer}.bias is not None:\n    {keep}\n"
        inline = f"{keep} if {layer}.bias is not None else None\n"
        return ReplaceStatement(statement, block, inline), f"Replace `{text}` with `{keep}` (the weight keeps its default init, the bias stays zero)"
    return DeleteStatement(statement), f"Delete `{text}` (the layer keeps its default init)"


def _a_layers_own(ev: InitEvent, code: str) -> bool:
    """Whether the init's target is a parameter that a layer's constructor initialised, so that
    deleting the init leaves that init. Every-layer loops and callbacks (INI003) reach the
    layers' own parameters; elsewhere the target must be ``<layer>.weight`` (or the layer
    itself), and not a layer handed to a helper whose whole job is to zero it (its callers,
    here or elsewhere, rely on that)."""
    target = ev.target
    if target is None:
        return False
    if code == "INI003":
        return True
    if _handed_in(target.root, ev.site.scope) and not _guarded(ev):
        return False  # a helper whose whole job is this init: its callers rely on it
    if ev.on == "layer":
        return True
    last = target.last
    if not isinstance(last, str) or not any(word in last for word in _LAYER_PARAMETER_WORDS):
        return False  # `w`, `self.w`: a tensor of the code's own, with no default init
    return not (target.root in ("self", "cls") and len(target.parts) == 1)  # `self.weight`: this module's own


def _a_parameter_of_a_loop(ev: InitEvent) -> bool:
    """``for p in model.parameters(): zeros_(p)``: each ``p`` is a tensor (the analysis reads
    the loop as zeroing whole layers, biases included), so its fix is a plain deletion."""
    root = ev.target.root if ev.target is not None and not ev.target.parts else None
    for anc in ev.site.ancestors:
        if isinstance(anc, cst.For) and isinstance(anc.target, (cst.Name, cst.Tuple)) and \
                root in {n.value for n in _names(anc.target)}:
            it = anc.iter
            return isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and \
                it.func.attr.value in T.PARAMETER_ITERATORS
    return False


def _names(target: cst.BaseExpression) -> "list[cst.Name]":
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, cst.Tuple):
        return [n for e in target.elements for n in _names(e.value)]
    return []


def _guarded(ev: InitEvent) -> bool:
    """An ``if`` between the enclosing function and the init: a per-module callback
    (``_init_weights(self, module)``) that zeroes some modules, not a zeroing helper."""
    guarded = False
    for anc in ev.site.ancestors:
        if isinstance(anc, cst.FunctionDef):
            guarded = False  # the innermost function's own guards count
        elif isinstance(anc, cst.If):
            guarded = True
    return guarded


def _handed_in(name: str, scope: Scope) -> bool:
    """``name`` is a parameter of the function the init sits in (other than ``self``)."""
    while scope is not None and scope.kind not in ("function", "lambda"):
        scope = scope.parent
    return scope is not None and name in scope.params and name not in ("self", "cls")


def _target_expression(ev: InitEvent) -> Optional[str]:
    """The source of the argument that names the layer (``self.proj`` in ``init_zero_(self.proj)``)."""
    call = ev.report_node
    if not isinstance(call, cst.Call):
        return None
    for arg in call.args:
        if not arg.star and path_of(arg.value) == ev.target:
            return source_of(arg.value)
    return None


def _bias_zeroing(layer: str, scope: Scope) -> str:
    """``nn.init.zeros_(layer.bias)`` as this file spells ``torch.nn.init`` where the init is
    (``nn.init``, ``init``, ``torch.nn.init``, ...), else ``layer.bias.data.zero_()``."""
    names: set[str] = set()
    outer: Optional[Scope] = scope
    while outer is not None:
        names.update(outer.bindings)
        outer = outer.parent
    spellings = []
    for name in sorted(names):
        for module, rest, rank in _ZEROS_SPELLINGS:
            if module in {canonical(q, T.INIT_MODULE_WRAPPERS, frameworks=False) for q in scope.resolve(name)}:
                spellings.append((rank, len(name), f"{name}{rest}"))
    if spellings:
        return f"{min(spellings)[2]}({layer}.bias)"
    return f"{layer}.bias.data.zero_()"
