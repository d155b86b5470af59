"""INI004 for PyTorch: does a zeroed layer feed an activation with φ'(0) = 0, or another
zeroed layer? Read from an ``nn.Sequential(...)`` literal or from the class's ``forward``."""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from initlint.static import apis
from initlint.static.activations import ACTIVATIONS, Activation, lookup
from initlint.static.collect import ClassInfo, FunctionInfo, ModuleFacts
from initlint.static.context import Context, container_elements
from initlint.static.events import get_arg, number
from initlint.static.names import Scope, last_name
from initlint.static.roles import Path

Resolve = Callable[[cst.BaseExpression, Scope], "set[str]"]

#: Squared ReLU has no torch.nn class; these are the names real code gives it.
_SQUARED_RELU_NAMES = frozenset({"SquaredReLU", "ReLUSquared", "ReluSquared", "SquaredRelu", "relu2", "ReLU2"})
_FORWARD_NAMES = ("forward", "__call__", "_forward", "forward_features")

ZERO_BIAS, NO_BIAS, RANDOM_BIAS = "zero", "none", "random"


class Layers:
    """Resolves layer constructors and activations in one module."""

    def __init__(self, facts: ModuleFacts, resolve: Resolve):
        self.facts = facts
        self.resolve = resolve

    def qualnames(self, call: cst.BaseExpression, scope: Scope) -> set[str]:
        return self.resolve(call.func, scope) if isinstance(call, cst.Call) else set()

    def activation(self, expr: cst.BaseExpression, scope: Scope, cls: Optional[ClassInfo] = None) -> Optional[Activation]:
        """The activation an element/callee stands for: ``nn.ReLU()``, ``F.relu``, ``self.act``."""
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self" \
                and cls is not None and expr.attr.value in cls.attrs:
            return self.activation(cls.attrs[expr.attr.value], cls_scope(cls, self.facts), cls)
        call = expr if isinstance(expr, cst.Call) else None
        func = call.func if call is not None else expr
        short = last_name(func)
        if short in _SQUARED_RELU_NAMES:
            return ACTIVATIONS["squared relu"]
        for q in sorted(self.resolve(func, scope)):
            act = lookup(q)
            if act is None:
                continue
            if q.endswith(("Hardtanh", "hardtanh")):
                return ACTIVATIONS["hardtanh(0, ·)"] if call is not None and _arg_is(call, 0, "min_val", lambda v: v == 0) else None
            if act.name == "threshold":
                index = 0 if q.endswith("Threshold") else 1
                return act if call is not None and _arg_is(call, index, "threshold", lambda v: v >= 0) else None
            return act
        if short in ("Hardtanh", "hardtanh") and call is not None and _arg_is(call, 0, "min_val", lambda v: v == 0):
            return ACTIVATIONS["hardtanh(0, ·)"]
        return None

    def is_weight_layer(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        return bool(self.qualnames(expr, scope) & apis.LAYER_FAMILIES)

    def is_passthrough(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        return bool(self.qualnames(expr, scope) & apis.PASSTHROUGH_CLASSES)


def cls_scope(cls: ClassInfo, facts: ModuleFacts) -> Scope:
    init = cls.methods.get("__init__")
    if init is not None and id(init) in facts.functions:
        return facts.functions[id(init)].scope
    return cls.scope or facts.module_scope


def _arg_is(call: cst.Call, index: int, keyword: str, pred) -> bool:
    v = number(get_arg(call, apis.ArgSpec(index, keyword)))
    return v is not None and pred(v)


def ctor_bias(ctor: Optional[cst.BaseExpression], qualnames: set[str]) -> str:
    if isinstance(ctor, cst.Call):
        b = get_arg(ctor, apis.ArgSpec(None, "bias"))
        if isinstance(b, cst.Name) and b.value == "False":
            return NO_BIAS
    return RANDOM_BIAS


def next_activation(elements: tuple, index: int, layers: Layers, scope: Scope) -> tuple[Optional[Activation], Optional[int]]:
    """The activation right after element ``index`` and the index of the next weight layer."""
    act = None
    for j in range(index + 1, len(elements)):
        el = elements[j]
        a = layers.activation(el, scope)
        if a is not None:
            if act is None:
                act = a
            continue
        if layers.is_passthrough(el, scope):
            continue
        if layers.is_weight_layer(el, scope):
            return act, j
        return act, None
    return act, None


def describe(act: Activation) -> str:
    return {"relu": "ReLU", "relu6": "ReLU6", "squared relu": "a squared ReLU", "threshold": "a threshold",
            "hardtanh(0, ·)": "hardtanh(0, ·)"}.get(act.name, act.name)


def dead_message(label: str, act: Activation, where: str, bias: str) -> str:
    if bias in (ZERO_BIAS, NO_BIAS):
        b = "no bias" if bias == NO_BIAS else "a zero bias"
        return (f"{label} is zeroed and feeds {describe(act)} ({where}) with {b}: φ'(0) = 0, so every unit "
                f"of this layer, and every gradient through it, is dead for good")
    return (f"{label} is zeroed and feeds {describe(act)} ({where}): each unit outputs {describe(act)}(bias), "
            f"so the units whose random bias is ≤ 0 (about half) never receive a gradient")


def chain_message(label: str, other: str, bias: str) -> str:
    b = "no bias" if bias == NO_BIAS else "a zero bias"
    return (f"{label} is zeroed and so is the next layer {other}, with {b} and φ(0) = 0 between them: "
            f"neither layer ever receives a gradient")


def container_of(owner: Path, ctx: Context, facts: ModuleFacts, layers: Layers):
    """(elements, index, container text, scope) when ``owner`` is ``seq[i]`` of a Sequential
    literal, or a local layer that a Sequential literal of the same function holds."""
    if not owner.parts:
        return _container_holding(owner.root, ctx, facts, layers)
    if not isinstance(owner.parts[-1], int):
        return None
    base = Path(owner.root, owner.parts[:-1])
    value, scope = None, None
    if base.root == "self" and len(base.parts) == 1 and ctx.cls is not None:
        value, scope = ctx.cls.attrs.get(base.parts[0]), cls_scope(ctx.cls, facts)
    elif not base.parts:
        if ctx.function is not None and base.root in ctx.function.values:
            value, scope = ctx.function.values[base.root], ctx.function.scope
        else:
            value, scope = facts.module_values.get(base.root), facts.module_scope
    if not isinstance(value, cst.Call) or not (layers.qualnames(value, scope) & apis.CONTAINER_CLASSES):
        return None
    elements = container_elements(value)
    index = owner.parts[-1]
    if index < 0:
        index += len(elements)
    if not 0 <= index < len(elements):
        return None
    return elements, index, base.text().removeprefix("self."), scope


def _container_holding(name: str, ctx: Context, facts: ModuleFacts, layers: Layers):
    """``linear = nn.Linear(...)`` ... ``self.seq = nn.Sequential(norm, linear, nn.ReLU())``."""
    if ctx.function is None:
        return None
    candidates = list(ctx.function.values.items())
    if ctx.cls is not None:
        candidates += [(f"self.{a}", v) for a, v in ctx.cls.attrs.items()]
    scope = ctx.function.scope
    for text, value in candidates:
        if isinstance(value, cst.Call) and layers.qualnames(value, scope) & apis.CONTAINER_CLASSES:
            elements = container_elements(value)
            for i, el in enumerate(elements):
                if isinstance(el, cst.Name) and el.value == name:
                    return elements, i, text.removeprefix("self."), scope
    return None


def forward_links(cls: ClassInfo, facts: ModuleFacts, layers: Layers) -> list[tuple[str, Optional[Activation], str]]:
    """(A, activation or None, B) for every ``self.B(act(self.A(x)))`` in the class's forward,
    directly or through local variables."""
    links = []
    for name in _FORWARD_NAMES:
        fn = cls.methods.get(name)
        if fn is not None and id(fn) in facts.functions:
            links += _links_in(fn, facts.functions[id(fn)], cls, layers)
    return links


def _self_call(node) -> Optional[str]:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
            isinstance(node.func.value, cst.Name) and node.func.value.value == "self":
        return node.func.attr.value
    return None


def _links_in(fn: cst.FunctionDef, info: FunctionInfo, cls: ClassInfo, layers: Layers) -> list:
    held: dict[str, tuple] = {}  # local name -> (layer attr, activation or None)
    links: list = []

    def source(expr) -> Optional[tuple]:
        """What feeds ``expr``: (layer attr, activation applied after it, or None)."""
        attr = _self_call(expr)
        if attr is not None and layers.activation(expr.func, info.scope, cls) is None:
            return attr, None
        if isinstance(expr, cst.Name):
            return held.get(expr.value)
        if isinstance(expr, cst.Call) and expr.args:
            act = layers.activation(expr.func, info.scope, cls)
            if act is not None:
                inner = source(expr.args[0].value)
                if inner is not None and inner[1] is None:
                    return inner[0], act
        return None

    class _V(cst.CSTVisitor):
        def leave_Assign(self, node: cst.Assign) -> None:
            fed = source(node.value)
            for t in node.targets:
                if isinstance(t.target, cst.Name):
                    if fed is not None:
                        held[t.target.value] = fed
                    else:
                        held.pop(t.target.value, None)

        def visit_Call(self, node: cst.Call) -> None:
            attr = _self_call(node)
            if attr is None or not node.args or layers.activation(node.func, info.scope, cls) is not None:
                return
            fed = source(node.args[0].value)
            if fed is not None and fed[0] != attr:
                links.append((fed[0], fed[1], attr))

    fn.visit(_V())
    return links


def forward_consumers(cls: ClassInfo, attr: str, facts: ModuleFacts, layers: Layers) -> list[Activation]:
    """Activations that directly consume ``self.<attr>(...)`` in the class's forward."""
    out: list[Activation] = []
    for name in _FORWARD_NAMES:
        fn = cls.methods.get(name)
        if fn is None or id(fn) not in facts.functions:
            continue
        info = facts.functions[id(fn)]
        out += _consumers_in(fn, info, attr, cls, layers)
    return out


def _consumers_in(fn: cst.FunctionDef, info: FunctionInfo, attr: str, cls: ClassInfo, layers: Layers) -> list[Activation]:
    found: list[Activation] = []
    outputs: set[str] = set()  # local names holding self.<attr>(...)

    def is_layer_call(node) -> bool:
        return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
            node.func.attr.value == attr and isinstance(node.func.value, cst.Name) and node.func.value.value == "self"

    class _V(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if is_layer_call(node.value):
                for t in node.targets:
                    if isinstance(t.target, cst.Name):
                        outputs.add(t.target.value)

        def visit_Call(self, node: cst.Call) -> None:
            if not node.args:
                return
            first = node.args[0].value
            if is_layer_call(first) or (isinstance(first, cst.Name) and first.value in outputs):
                act = layers.activation(node.func, info.scope, cls)
                if act is not None and (not isinstance(node.func, cst.Attribute) or node.func.attr.value != attr):
                    found.append(act)

    fn.visit(_V())
    return found
