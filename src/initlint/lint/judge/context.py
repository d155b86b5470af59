"""Where an init runs: inside which loops, guards, functions and classes.

This is what separates "zero this one layer" from "zero every layer": a loop over
``model.modules()`` or a function handed to ``model.apply`` reaches every layer, and the
``if`` tests around the call say which layers (``isinstance(m, nn.Linear)``: all Linear
layers; ``name.startswith("head")``: one layer; ``isinstance(m, nn.LayerNorm)``: norms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from initlint.knowledge import torch as T
from initlint.knowledge.naming import FAMILY_WORDS, is_norm_class_name, is_norm_owner_name, says_zero
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.model.collect import ClassInfo, FunctionInfo, ModuleFacts
from initlint.lint.model.flow import container_elements, same_module
from initlint.lint.model.literals import names_in, number, source_of, string_literals
from initlint.lint.model.resolve import Resolver
from initlint.lint.model.scopes import Scope, dotted_name, last_name, lookup

# Guard kinds: what an `if` test selects among the modules/parameters of a loop.
NORM = "norm"
CUSTOM_NORM = "custom-norm"  # a norm class defined by the model (maybe (1 + w)-parametrised)
FAMILY = "family"
SPECIFIC = "specific"
WEIGHTS = "weights"
NONWEIGHTS = "non-weights"
BIAS = "bias"
ZERO_FLAG = "zero-flag"

#: Short names of the layer families (a guard ``isinstance(m, Linear)`` with an unresolved name).
_FAMILY_SHORT = frozenset(q.rsplit(".", 1)[-1] for q in T.LAYERS)


@dataclass(frozen=True)
class Guard:
    kind: str
    names: tuple = ()
    node: Optional[cst.CSTNode] = None  # the test, printed only for a message

    @property
    def text(self) -> str:
        return source_of(self.node) if self.node is not None else ""


@dataclass
class Loop:
    node: cst.For
    vars: frozenset
    kind: Optional[str]  # "modules" | "parameters" | "container" | "collection" | None
    source: str  # the iterated expression, for messages
    elements: tuple = ()  # layer constructor calls when the container is a literal
    container_owner: Optional[ClassInfo] = None
    container_text: str = ""  # how messages name the container (``net`` for ``net.modules()``)


@dataclass
class Context:
    function: Optional[FunctionInfo]
    cls: Optional[ClassInfo]
    loops: list = field(default_factory=list)
    guards: list = field(default_factory=list)
    #: Set when the target is the weight of every layer a loop/callback reaches.
    every: Optional[str] = None
    every_loop: Optional[Loop] = None
    every_params: bool = False  # the loop reaches every parameter, not every module
    applied_lambda: Optional[cst.Lambda] = None  # model.apply(lambda m: ...)
    applied_function: Optional[str] = None  # the callback's name, when `.apply(fn)` reaches every module

    def guard_kinds(self) -> set:
        return {g.kind for g in self.guards}

    def zero_flags(self) -> list:
        return [g for g in self.guards if g.kind == ZERO_FLAG]


def context_for(ev: InitEvent, facts: ModuleFacts, resolver: Resolver) -> Context:
    """Where ``ev`` runs: its function, class, loops and guards, and whether it reaches every layer."""
    ancestors = ev.site.ancestors
    chain = list(ancestors) + [ev.report_node]
    function = None
    boundary = -1
    for i in range(len(ancestors) - 1, -1, -1):
        if isinstance(ancestors[i], (cst.FunctionDef, cst.Lambda)):
            boundary = i
            if isinstance(ancestors[i], cst.FunctionDef):
                function = facts.function_of(ancestors[i])
            break
    loops: list[Loop] = []
    guards: list[Guard] = []
    for i in range(len(chain) - 2, boundary, -1):
        anc, child = chain[i], chain[i + 1]
        if isinstance(anc, (cst.If, cst.IfExp)) and child is not anc.test:
            guards.extend(classify_test(anc.test, child is anc.body, ev.site.scope, resolver))
        elif isinstance(anc, cst.For) and child is anc.body:
            loops.append(_loop(anc, ev.site.scope, resolver))
    cls = function.cls if function else _enclosing_class(ancestors, facts)
    ctx = Context(function, cls, loops, guards)
    if boundary >= 0 and isinstance(ancestors[boundary], cst.Lambda):
        ctx.applied_lambda = _applied_lambda(ancestors, boundary)
    _find_every(ev, ctx, facts)
    return ctx


def _applied_lambda(ancestors: tuple, boundary: int) -> Optional[cst.Lambda]:
    """The lambda when it is the argument of ``<model>.apply(...)``."""
    lam = ancestors[boundary]
    if boundary >= 2 and isinstance(ancestors[boundary - 1], cst.Arg):
        call = ancestors[boundary - 2]
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value in T.APPLY_METHODS:
            return lam
    return None


def _enclosing_class(ancestors: tuple, facts: ModuleFacts) -> Optional[ClassInfo]:
    for anc in reversed(ancestors):
        if isinstance(anc, cst.ClassDef):
            return facts.classes.get(id(anc))
    return None


def _find_every(ev: InitEvent, ctx: Context, facts: ModuleFacts) -> None:
    target = ev.target
    if target is None:
        return
    own = target.parts == () or (ev.on == "tensor" and len(target.parts) == 1 and isinstance(target.parts[0], str))
    if not own:
        return
    for loop in ctx.loops:
        if target.root in loop.vars and loop.kind is not None:
            ctx.every_loop = loop
            ctx.every_params = loop.kind == "parameters" and ev.on == "tensor" and target.parts == ()
            what = "every parameter" if ctx.every_params else "every layer"
            ctx.every = f"{what} of `{loop.source}`"
            return
    lam = ctx.applied_lambda
    if lam is not None:
        params = [p.name.value for p in lam.params.params]
        if params and target.root == params[0]:
            ctx.every = "every module that `.apply(lambda ...)` visits"
        return
    fn = ctx.function
    if fn is None:
        return
    params = [p for p in fn.params if p not in ("self", "cls")]
    if not params or target.root != params[0]:
        return
    if fn.name in facts.applied:
        ctx.every = f"every module that `.apply({fn.name})` visits"
        ctx.applied_function = fn.name
    elif fn.name in T.PER_MODULE_CALLBACK_NAMES:
        ctx.every = f"every module `{fn.name}` is applied to"
    elif any(g.kind in (FAMILY, NORM) for g in ctx.guards):
        ctx.every = f"every module `{fn.name}` is called with"


def _loop(node: cst.For, scope: Scope, resolver: Resolver) -> Loop:
    names = frozenset(_target_names(node.target))
    it = node.iter
    while isinstance(it, cst.Call) and isinstance(it.func, cst.Name) and it.func.value in (
            "enumerate", "list", "tuple", "reversed", "sorted") and it.args:
        it = it.args[0].value
    src = source_of(it)
    if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute):
        attr = it.func.attr.value
        if attr in T.MODULE_ITERATORS:
            # net.modules() of a Sequential literal: its layers, in order
            container = _container(it.func.value, scope, resolver)
            return Loop(node, names, "modules", src, container_elements(container) if container is not None else (),
                        container_text=source_of(it.func.value))
        if attr in T.PARAMETER_ITERATORS:
            return Loop(node, names, "parameters", src)
        if attr in ("values", "items"):
            return Loop(node, names, "collection", src)
        return Loop(node, names, None, src)
    if isinstance(it, (cst.List, cst.Tuple)):
        return Loop(node, names, "container", src, tuple(e.value for e in it.elements))
    if isinstance(it, (cst.Name, cst.Attribute)):
        bound = lookup(it, scope)
        value = same_module(bound.value) if bound is not None else None
        container = _container(it, scope, resolver)
        if container is not None:
            owner = scope.enclosing_class() if isinstance(it, cst.Attribute) else None
            return Loop(node, names, "container", src, container_elements(container), owner)
        if isinstance(it, cst.Name) and it.value in ("self", "model", "net", "module", "network"):
            return Loop(node, names, "collection", src)
        if isinstance(value, cst.Call) or value is None:
            return Loop(node, names, "collection" if value is not None else None, src)
    return Loop(node, names, None, src)


def _container(expr: cst.BaseExpression, scope: Scope, resolver: Resolver) -> Optional[cst.Call]:
    """The container literal a name holds (``net = nn.Sequential(...).to(device)``)."""
    bound = lookup(expr, scope) if isinstance(expr, (cst.Name, cst.Attribute)) else None
    value = same_module(bound.value) if bound is not None else None
    if isinstance(value, cst.Call) and resolver.is_container(resolver.qualnames(value.func, bound.scope)):
        return value
    return None


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out = []
        for el in target.elements:
            out += _target_names(el.value)
        return out
    return []


# -- guards --------------------------------------------------------------------------------

def classify_test(test: cst.BaseExpression, polarity: bool, scope: Scope, resolver: Resolver) -> list[Guard]:
    """What an ``if`` test selects, given whether the call is in its body (polarity True)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return classify_test(test.expression, not polarity, scope, resolver)
    if isinstance(test, cst.BooleanOperation):
        if isinstance(test.operator, cst.And) and polarity or isinstance(test.operator, cst.Or) and not polarity:
            return classify_test(test.left, polarity, scope, resolver) + classify_test(test.right, polarity, scope, resolver)
        return _merge_or(classify_test(test.left, polarity, scope, resolver)
                         + classify_test(test.right, polarity, scope, resolver))
    out: list[Guard] = []
    g = _isinstance_guard(test, polarity, scope, resolver)
    if g is not None:
        return [g]
    g = _dim_guard(test, polarity)
    if g is not None:
        return [g]
    literals = string_literals(test)
    if not literals and polarity:
        named = _name_test(test)
        if named:
            return [Guard(SPECIFIC, (named,), test)]
    if literals:
        g = _string_guard(literals, polarity, test)
        if g is not None:
            out.append(g)
    if polarity:
        for name in names_in(test) + literals:
            if says_zero(name) or name in ("constant", "const"):  # init_scheme == "constant"
                out.append(Guard(ZERO_FLAG, (name,), test))
                break
    return out


def _merge_or(guards: list[Guard]) -> list[Guard]:
    # `isinstance(m, nn.Linear) or isinstance(m, nn.Conv2d)`: still families; anything else: unknown.
    kinds = {g.kind for g in guards}
    if kinds and kinds <= {FAMILY}:
        return [Guard(FAMILY, tuple(n for g in guards for n in g.names), guards[0].node)]
    if kinds and kinds <= {NORM, CUSTOM_NORM}:
        return [Guard(CUSTOM_NORM if CUSTOM_NORM in kinds else NORM, (), guards[0].node)]
    return [g for g in guards if g.kind == ZERO_FLAG]


def _isinstance_guard(test: cst.BaseExpression, polarity: bool, scope: Scope, resolver: Resolver) -> Optional[Guard]:
    """``isinstance(m, nn.Linear)``, ``type(m) == nn.BatchNorm2d``, ``type(m) in (...)``."""
    classes = None
    if isinstance(test, cst.Call) and dotted_name(test.func) == "isinstance" and len(test.args) >= 2:
        classes = test.args[1].value
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Call) \
            and dotted_name(test.left.func) == "type" and \
            isinstance(test.comparisons[0].operator, (cst.Equal, cst.Is, cst.In)):
        classes = test.comparisons[0].comparator
    if classes is None:
        return None
    if not polarity:
        return Guard("other", (), test)  # the else branch of an isinstance: "everything else"
    exprs = [e.value for e in classes.elements] if isinstance(classes, (cst.Tuple, cst.List)) else [classes]
    kinds, names = set(), []
    for e in exprs:
        short = last_name(e)
        names.append(short)
        quals = _class_names(e, scope, resolver)
        if resolver.is_norm(quals) or is_norm_class_name(short) or (short.islower() and is_norm_owner_name(short)):
            kinds.add(NORM)
        elif resolver.layer(quals) is not None or short in _FAMILY_SHORT:
            kinds.add(FAMILY)
        else:
            kinds.add(SPECIFIC)
    if kinds == {NORM}:
        # A norm class of the model's own may store γ as w in (1 + w): zero is its identity.
        standard = all(resolver.is_norm(_class_names(e, scope, resolver)) for e in exprs)
        return Guard(NORM if standard else CUSTOM_NORM, tuple(names), test)
    if SPECIFIC in kinds and len(kinds) == 1:
        return Guard(SPECIFIC, tuple(names), test)
    return Guard(FAMILY, tuple(names), test)


def _class_names(expr: cst.BaseExpression, scope: Scope, resolver: Resolver) -> set:
    """The dotted names a class expression stands for, also through a variable or a parameter
    default (``norm_type = nn.BatchNorm2d``, ``def __init__(self, norm_layer=nn.LayerNorm)``)."""
    quals = resolver.qualnames(expr, scope)
    if quals or not isinstance(expr, cst.Name):
        return quals
    bound = lookup(expr, scope)
    if bound is not None and isinstance(bound.value, (cst.Name, cst.Attribute)):
        return resolver.qualnames(bound.value, bound.scope)
    current: Optional[Scope] = scope
    while current is not None:
        if current.kind == "function" and current.function is not None and expr.value in current.params:
            params = current.function.node.params
            for p in (*params.posonly_params, *params.params, *params.kwonly_params):
                if p.name.value == expr.value and isinstance(p.default, (cst.Name, cst.Attribute)):
                    return resolver.qualnames(p.default, current.parent or current)
            return set()
        current = current.parent
    return set()


_CMP_TO_WEIGHTS = {  # (operator, n) -> does "ndim <op> n" select tensors of 2+ dims?
    (cst.GreaterThan, 1): True, (cst.GreaterThanEqual, 2): True, (cst.NotEqual, 1): True,
    (cst.Equal, 1): False, (cst.LessThan, 2): False, (cst.LessThanEqual, 1): False, (cst.Equal, 0): False,
    (cst.GreaterThan, 0): None,
}


def _dim_guard(test: cst.BaseExpression, polarity: bool) -> Optional[Guard]:
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    left = "".join(source_of(test.left).split())
    if not any(k in left for k in (".dim()", ".ndim", ".ndimension()", "len(", ".shape", "_dim", "_features")):
        return None  # module.embedding_dim == 1: a one-column table holds biases
    comp = test.comparisons[0]
    n = number(comp.comparator)
    if n is None:
        return None
    selects_weights = _CMP_TO_WEIGHTS.get((type(comp.operator), int(n)))
    if selects_weights is None:
        return None
    if not polarity:
        selects_weights = not selects_weights
    return Guard(WEIGHTS if selects_weights else NONWEIGHTS, (), test)


def _string_guard(literals: list[str], polarity: bool, test: cst.BaseExpression) -> Optional[Guard]:
    low = [s.lower() for s in literals]
    if any("bias" in s for s in low):
        return Guard(BIAS if polarity else WEIGHTS, tuple(literals), test)
    stripped = [s.strip(".") for s in (x[: -len("weight")] if x.endswith("weight") else x for x in literals)]
    if all(not s for s in stripped):
        return Guard(WEIGHTS if polarity else NONWEIGHTS, tuple(literals), test)
    if not polarity:
        return Guard("other", tuple(literals), test)
    if any(is_norm_owner_name(part) or is_norm_class_name(part) for s in literals for part in s.split(".")):
        # "norm" in name, "LayerNorm" in type(m).__name__
        return Guard(CUSTOM_NORM, tuple(literals), test)
    if all(any(s.startswith(w) for w in FAMILY_WORDS) for s in literals):
        return Guard(FAMILY, tuple(literals), test)
    return Guard(SPECIFIC, tuple(s for s in stripped if s), test)


def _name_test(test: cst.BaseExpression) -> Optional[str]:
    """``name.startswith(classifier_name)``, ``name == head_name``: a test that picks modules by a
    name held in a variable; returns that variable's name (its tokens say which layer)."""
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and \
            test.func.attr.value in ("startswith", "endswith") and test.args:
        return dotted_name(test.args[0].value)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and \
            isinstance(test.comparisons[0].operator, (cst.In, cst.Equal)):
        left, right = dotted_name(test.left), dotted_name(test.comparisons[0].comparator)
        if left and right:
            return left if "name" not in left.split(".")[-1] else right
    return None
