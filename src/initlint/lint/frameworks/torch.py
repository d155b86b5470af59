"""PyTorch: the init events of a module (``nn.init`` calls, in-place fills, constant
Parameters, layer-level helpers such as zeta's ``init_zero_``, and the file's own helpers that
wrap them). Facts only: the judge decides what they mean."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from initlint.knowledge import torch as T
from initlint.knowledge.base import ONE, ZERO, ArgSpec, InitFunction
from initlint.knowledge.naming import BIAS, SCALAR, STATE_NAME, WEIGHT, custom_parameter_is_weight, name_role
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.model.collect import CallSite, FunctionInfo, ModuleFacts
from initlint.lint.model.literals import fill_value, get_arg, number, path_of, shape_ndim, source_of
from initlint.lint.model.resolve import Resolver


def events(facts: ModuleFacts, resolver: Resolver) -> list[InitEvent]:
    found: list[InitEvent] = []
    for site in facts.calls:
        found.extend(_call_events(site, resolver))
    found.extend(parameter_events(facts, resolver))
    for assign, ancestors, scope in facts.data_assigns:
        ev = _data_assign_event(assign, ancestors, scope, resolver)
        if ev is not None:
            found.append(ev)
    found.extend(_helper_call_events(facts, found, resolver))
    return found


def _call_events(site: CallSite, resolver: Resolver) -> Iterator[InitEvent]:
    call = site.call
    func = call.func
    # 1. torch.nn.init.* and layer-level helpers, by resolved name.
    qual, fn = resolver.init_function(call, site.scope)
    if fn is not None:
        zero, text, value = _fn_value(fn, call)
        target_expr = get_arg(call, fn.target)
        if zero is not None and target_expr is not None:
            yield InitEvent(site, call, source_of(func), zero, text, path_of(target_expr), fn.on,
                            fn.zeroes_bias, number=value)
        return
    if not isinstance(func, cst.Attribute):
        return
    method = func.attr.value
    # 2. In-place tensor methods: w.zero_(), w.data.fill_(v), w.copy_(torch.zeros_like(w)).
    if method in T.TENSOR_METHODS and _is_tensor_receiver(func.value):
        fn = T.TENSOR_METHODS[method]
        zero, text, value = _fn_value(fn, call)
        if zero is not None:
            yield InitEvent(site, call, f".{method}()", zero, text, path_of(func.value), number=value)
        return
    if method in T.COPY_METHODS and call.args and _is_tensor_receiver(func.value):
        fq, ffn = resolver.factory(call.args[0].value, site.scope)
        if ffn is not None:
            zero, text, value = _fn_value(ffn, call.args[0].value)
            if zero is not None:
                yield InitEvent(site, call, f".copy_({fq.split('.')[-1]}(...))", zero, text, path_of(func.value),
                                number=value)
            return
        target = path_of(func.value)
        if target is not None and target.last == "bias":
            # bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0])): a value the code chose
            yield InitEvent(site, call, ".copy_()", False, f"`{source_of(call.args[0].value)[:40]}`", target,
                            chosen=True)


def _is_tensor_receiver(expr: cst.BaseExpression) -> bool:
    # Only attribute/subscript/name chains: `torch.empty(3).zero_()` makes a temporary.
    return path_of(expr) is not None


def _fn_value(fn: InitFunction, call: cst.Call) -> tuple[Optional[bool], str, Optional[float]]:
    """(is zero, how to show the value, the number when known)."""
    if fn.value == ZERO:
        return True, "0", 0.0
    if fn.value == ONE:
        return False, "1", 1.0
    spec = fn.value_arg
    expr = get_arg(call, spec)
    zero, text = fill_value(expr, spec.default if spec else None)
    value = number(expr) if expr is not None else (spec.default if spec else None)
    return zero, text, value


def parameter_event(site: CallSite, resolver: Resolver, assigned_to: cst.BaseExpression) -> Optional[InitEvent]:
    """``self.w = nn.Parameter(torch.zeros(a, b))``: a constant trainable tensor."""
    call = site.call
    if not (resolver.qualnames(call.func, site.scope) & T.PARAMETER_CLASSES) or not call.args:
        return None
    rg = get_arg(call, ArgSpec(1, "requires_grad"))
    if isinstance(rg, cst.Name) and rg.value == "False":
        return None  # a frozen constant is not trained: nothing can go wrong
    inner = call.args[0].value
    fq, fn = resolver.factory(inner, site.scope)
    if fn is None:
        return None
    zero, text, value = _fn_value(fn, inner)
    if zero is None:
        return None
    target = path_of(assigned_to)
    if target is None:
        return None
    ndim = shape_ndim(inner, from_args=fq in T.SHAPE_FROM_ARGS) if fq not in T.SHAPE_OF_ARGUMENT else None
    name = target.last if isinstance(target.last, str) else target.root
    by_name = name_role(name)
    if by_name in (BIAS, SCALAR):
        role = by_name
    elif not custom_parameter_is_weight(name, ndim):
        role = SCALAR if ndim is not None or STATE_NAME.match(name) else None
    else:
        role = WEIGHT
    if role is None:
        return None
    return InitEvent(site, call, f"nn.Parameter({fq.split('.', 1)[-1]}(...))", zero, text, target, role=role,
                     number=value)


def parameter_events(facts: ModuleFacts, resolver: Resolver) -> list[InitEvent]:
    out = []
    for site in facts.calls:
        parent = site.ancestors[-1] if site.ancestors else None
        if isinstance(parent, cst.Assign) and parent.value is site.call and len(parent.targets) == 1:
            ev = parameter_event(site, resolver, parent.targets[0].target)
            if ev is not None:
                out.append(ev)
    return out


def _data_assign_event(assign: cst.Assign, ancestors: tuple, scope, resolver: Resolver) -> Optional[InitEvent]:
    """``m.weight.data = torch.zeros_like(m.weight)``."""
    fq, fn = resolver.factory(assign.value, scope)
    if fn is None:
        return None
    zero, text, value = _fn_value(fn, assign.value)
    if zero is None:
        return None
    target = assign.targets[0].target
    site = CallSite(assign.value, ancestors + (assign,), scope)
    return InitEvent(site, assign, f".data = {fq.split('.')[-1]}(...)", zero, text, path_of(target), number=value)


def _helper_call_events(facts: ModuleFacts, found: list[InitEvent], resolver: Resolver) -> list[InitEvent]:
    """Calls to this file's own functions whose body zeroes their parameter (``def zero_(m):
    nn.init.zeros_(m.weight)``): the call site is where the layer gets zeroed."""
    summaries: dict[str, tuple[FunctionInfo, int, InitEvent]] = {}
    for ev in found:
        fn = _enclosing_function(ev, facts)
        if fn is None or fn.cls is not None or ev.target is None or _guarded(ev, fn):
            continue
        if ev.target.root in fn.params and _helper_shape(ev):
            summaries.setdefault(fn.name, (fn, fn.params.index(ev.target.root), ev))
            continue
        owner = _parameters_of(ev, fn)
        if owner is not None and ev.target.parts == ():
            # for p in module.parameters(): p.zero_() -- the whole layer, bias included
            ev.on, ev.zeroes_bias = "layer", True
            summaries.setdefault(fn.name, (fn, fn.params.index(owner), ev))
    out = []
    for site in facts.calls:
        if not isinstance(site.call.func, cst.Name):
            continue
        name = site.call.func.value
        if name not in summaries or site.scope.resolve_head(name):
            continue  # an import of the same name wins
        fn, index, inner = summaries[name]
        if site.call is inner.site.call:
            continue
        inner.summarized = True
        positional = [a for a in site.call.args if a.keyword is None]
        if len(positional) <= index:
            continue
        target = path_of(positional[index].value)
        on = "layer" if inner.on == "layer" or (inner.target and inner.target.parts[:1] == ("weight",)) else "tensor"
        out.append(InitEvent(site, site.call, f"{name}()", inner.zero, inner.value_text,
                             target if target is not None else None, on, target_label=None,
                             zeroes_bias=inner.zeroes_bias))
        out[-1].helper = fn
        if target is None:
            out[-1].target_label = f"the result of {source_of(positional[index].value)[:40]}"
    return out


def _guarded(ev: InitEvent, fn: FunctionInfo) -> bool:
    """An init under an ``if`` inside the helper applies to some arguments only: judge it in
    place (as a per-module callback) rather than at every call site."""
    inside = False
    for anc in ev.site.ancestors:
        if anc is fn.node:
            inside = True
        elif inside and isinstance(anc, cst.If):
            return True
    return False


def _parameters_of(ev: InitEvent, fn: FunctionInfo) -> Optional[str]:
    """The parameter ``m`` of ``fn`` when ``ev`` sits in ``for p in m.parameters():`` and
    zeroes ``p``."""
    for anc in ev.site.ancestors:
        if isinstance(anc, cst.For) and isinstance(anc.target, cst.Name) and anc.target.value == ev.target.root:
            it = anc.iter
            if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and \
                    it.func.attr.value in T.PARAMETER_ITERATORS and isinstance(it.func.value, cst.Name) and \
                    it.func.value.value in fn.params:
                return it.func.value.value
    return None


def _helper_shape(ev: InitEvent) -> bool:
    """The helper zeroes ``param.weight`` or the layer ``param`` itself."""
    parts = ev.target.parts
    return parts == () or (ev.on == "tensor" and parts == ("weight",))


def _enclosing_function(ev: InitEvent, facts: ModuleFacts) -> Optional[FunctionInfo]:
    for anc in reversed(ev.site.ancestors):
        if isinstance(anc, cst.FunctionDef):
            return facts.function_of(anc)
    return None
