"""The producer shared by the layer frameworks (Keras, Flax, Haiku): init events of layers.

Layer frameworks say how a weight starts in the *constructor* of the layer, through a keyword
argument, instead of calling an init function on a tensor as PyTorch does. This module looks
at every call's kernel keywords and resolves the value (through strings, classes, factories,
variables, ``self`` attributes, dataclass fields and ``**kwargs`` dicts). Each framework module
(``keras``, ``flax``) supplies its :class:`Tables` (what differs: string spellings, getters,
custom parameter constructors); everything else is here. Facts only: where the layer's output
goes is read by ``model.flow`` and judged by ``judge``.

Only weights become events: biases, norm parameters, tokens, position embeddings, metric
state and frozen variables never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import libcst as cst

from initlint.knowledge.base import ONE, ZERO, ArgSpec, BiasState, Framework, InitFunction, LayerSpec
from initlint.knowledge.naming import WEIGHT, says_zero
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.model.collect import CallSite, ModuleFacts
from initlint.lint.model.literals import (
    fmt, get_arg, is_false, is_none, names_in, number, path_of, short, source_of, string_value,
)
from initlint.lint.model.resolve import Resolver
from initlint.lint.model.scopes import Scope, dotted_name, last_name, lookup

_MAX_DEPTH = 6  # variable → variable → ... when resolving a value


@dataclass(frozen=True)
class Value:
    """A constant initializer found in the source."""

    zero: bool
    text: str  # "0", "1", "0.5", "`scale`"
    api: str  # how the user spelled it, for messages
    number: Optional[float] = None  # the constant when known
    guard: Optional[str] = None  # an IfExp test whose name says zero (``zeros if self.zero_head else ...``)


class Tables:
    """What differs between layer frameworks. Subclasses fill in the hooks."""

    framework: Framework

    def __init__(self, resolver: Resolver):
        self.resolver = resolver

    def qualnames(self, expr: cst.BaseExpression, scope: Scope) -> set[str]:
        return self.resolver.qualnames(expr, scope)

    def strings(self, call: Optional[cst.Call], scope: Scope) -> dict[str, float]:
        """Strings that name a constant initializer where this call takes them."""
        return {}

    def uncalled(self, quals: set[str], keyword: Optional[str]) -> Optional[InitFunction]:
        """An initializer used as a value: ``Zeros`` (a class), ``nn.initializers.zeros``."""
        for q in sorted(quals):
            found = self.framework.initializers.get(q)
            if found is not None:
                return found
        return None

    def factory(self, quals: set[str]) -> Optional[InitFunction]:
        """A call that makes an initializer: ``Zeros()``, ``Constant(0.5)``, ``zeros_init()``."""
        for q in sorted(quals):
            found = self.framework.initializer_factories.get(q)
            if found is not None:
                return found
        return None

    def array_factory(self, quals: set[str]) -> Optional[InitFunction]:
        """``tf.zeros(shape)`` in ``lambda shape, dtype=None: tf.zeros(shape)``."""
        for q in sorted(quals):
            found = self.framework.factories.get(q)
            if found is not None:
                return found
        return None

    def is_getter(self, quals: set[str]) -> bool:
        """``keras.initializers.get(x)``: the initializer ``x`` names."""
        return False

    def custom_events(self, producer: "LayerProducer") -> Iterator["InitEvent"]:
        """Framework-specific parameter constructors (``add_weight``, ``self.param``...)."""
        return iter(())


class LayerProducer:
    """Init events of one module for one layer framework."""

    def __init__(self, facts: ModuleFacts, tables: Tables):
        self.facts = facts
        self.t = tables

    def events(self) -> list[InitEvent]:
        out: list[InitEvent] = []
        for site in self.facts.calls:
            ev = self._keyword_event(site)
            if ev is not None:
                out.append(ev)
        out.extend(self.t.custom_events(self))
        return out

    # -- values -------------------------------------------------------------------------------
    def value(self, expr: cst.BaseExpression, scope: Scope, strings: dict, keyword: Optional[str] = None,
              depth: int = 0) -> Optional[Value]:
        """The constant an initializer expression stands for, or None (random, unknown, or not
        something the framework would accept)."""
        if depth > _MAX_DEPTH or expr is None:
            return None
        text = string_value(expr)
        if text is not None:
            if text in strings:
                v = strings[text]
                return Value(v == 0, fmt(v), source_of(expr), v)
            return None
        if isinstance(expr, cst.IfExp):
            return self._ifexp_value(expr, scope, strings, keyword, depth)
        if isinstance(expr, cst.Dict):
            return self._config_dict_value(expr, strings)
        if isinstance(expr, cst.Lambda):
            return self._lambda_value(expr, scope)
        if isinstance(expr, cst.Call):
            return self._call_value(expr, scope, strings, keyword, depth)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            quals = self.t.qualnames(expr, scope)
            if quals:
                iv = self.t.uncalled(quals, keyword)
                if iv is None:
                    return None
                return self.from_init_value(iv, None, source_of(expr), scope)
            bound = lookup(expr, scope)
            if bound is None:
                return None
            v = self.value(bound.value, bound.scope, strings, keyword, depth + 1)
            if v is None:
                return None
            via = source_of(expr)
            api = v.api if "(via" in v.api else f"{v.api} (via `{via}`)"
            return Value(v.zero, v.text, api, v.number, v.guard)
        return None

    def _ifexp_value(self, expr: cst.IfExp, scope, strings, keyword, depth) -> Optional[Value]:
        body = self.value(expr.body, scope, strings, keyword, depth + 1)
        if body is not None:
            guard = source_of(expr.test) if any(says_zero(n) for n in names_in(expr.test)) else None
            return Value(body.zero, body.text, body.api, body.number, guard or body.guard)
        return self.value(expr.orelse, scope, strings, keyword, depth + 1)

    def _config_dict_value(self, expr: cst.Dict, strings: dict) -> Optional[Value]:
        """``{"class_name": "Zeros", "config": {}}``: a serialized Keras initializer."""
        if not strings:
            return None
        entries = {(string_value(e.key) if isinstance(e, cst.DictElement) else None): e.value for e in expr.elements}
        name = string_value(entries.get("class_name")) if entries.get("class_name") is not None else None
        if name is None:
            return None
        config = entries.get("config")
        value_expr = None
        if isinstance(config, cst.Dict):
            for e in config.elements:
                if isinstance(e, cst.DictElement) and string_value(e.key) == "value":
                    value_expr = e.value
        if name in ("Constant", "constant") and value_expr is not None:
            v = number(value_expr)
            if v is None:
                return Value(False, f"`{source_of(value_expr)}`", short(source_of(expr)))
            return Value(v == 0, fmt(v), short(source_of(expr)), v)
        if name in strings:
            v = strings[name]
            return Value(v == 0, fmt(v), short(source_of(expr)), v)
        return None

    def _lambda_value(self, expr: cst.Lambda, scope: Scope) -> Optional[Value]:
        """``lambda shape, dtype=None: tf.zeros(shape)``: an initializer written inline."""
        body = expr.body
        if not isinstance(body, cst.Call):
            return None
        iv = self.t.array_factory(self.t.qualnames(body.func, scope))
        if iv is not None:
            return self.from_init_value(iv, body, short(source_of(expr)), scope)
        return None

    def _call_value(self, expr: cst.Call, scope, strings, keyword, depth) -> Optional[Value]:
        quals = self.t.qualnames(expr.func, scope)
        if quals:
            iv = self.t.factory(quals)
            if iv is not None:
                return self.from_init_value(iv, expr, short(source_of(expr)), scope)
            if self.t.is_getter(quals) and expr.args:
                v = self.value(expr.args[0].value, scope, strings, keyword, depth + 1)
                return Value(v.zero, v.text, short(source_of(expr)), v.number, v.guard) if v is not None else None
            return None
        # A local variable holding a factory result that is itself called is not an
        # initializer; a local *class* is a custom initializer: unknown either way.
        return None

    def from_init_value(self, iv: InitFunction, call: Optional[cst.Call], api: str, scope: Scope) -> Optional[Value]:
        if iv.value == ZERO:
            return Value(True, "0", api, 0.0)
        if iv.value == ONE:
            return Value(False, "1", api, 1.0)
        spec = iv.value_arg
        arg = get_arg(call, spec) if call is not None else None
        if arg is None:
            if spec is None or spec.default is None:
                return None
            return Value(spec.default == 0, fmt(spec.default), api, spec.default)
        v = self.numeric(arg, scope)
        if v is not None:
            return Value(v == 0, fmt(v), api, v)
        if isinstance(arg, (cst.List, cst.Tuple, cst.Set, cst.Dict, cst.ListComp)) or \
                (isinstance(arg, cst.Call) and last_name(arg.func) not in ("float", "int")):
            return None  # an array (``np.eye(n)``, ``[[2, 1], [1, 1]]``): not one repeated value
        if isinstance(arg, cst.Name) and arg.value in ("True", "False", "None"):
            return None
        return Value(False, f"`{short(source_of(arg), 30)}`", api)

    def numeric(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Optional[float]:
        """A number literal, or a local/module name bound to one."""
        v = number(expr)
        if v is not None or depth > _MAX_DEPTH:
            return v
        if isinstance(expr, (cst.Name, cst.Attribute)) and not self.t.resolver.qualnames(expr, scope):
            bound = lookup(expr, scope)
            if bound is not None:
                return self.numeric(bound.value, bound.scope, depth + 1)
        return None

    # -- layer constructors with kernel keywords ------------------------------------------------
    def _keyword_event(self, site: CallSite) -> Optional[InitEvent]:
        call = site.call
        keywords = self.t.framework.kernel_keywords
        if not any((a.keyword is not None and a.keyword.value in keywords) or a.star == "**" for a in call.args):
            return None
        scope = site.scope
        strings = self.t.strings(call, scope)
        found: list[tuple[str, Value, str]] = []
        for a in call.args:
            if a.keyword is not None and a.keyword.value in keywords:
                kw = a.keyword.value
                v = self.value(a.value, scope, strings, kw)
                if v is not None:
                    found.append((kw, v, f"{kw}={v.api}"))
            elif a.star == "**":
                found.extend(self._star_kwargs(a.value, scope, strings))
        if not found:
            return None
        # One finding per call: the most severe keyword (zero before constant).
        found.sort(key=lambda f: (not f[1].zero, list(keywords).index(f[0])))
        kw, v, api = found[0]
        what = keywords[kw]
        label = f"the {what} of `{short(source_of(call.func), 40)}(...)`"
        name = _name_kwarg(call)
        if name:
            label = f"the {what} of `{short(source_of(call.func), 40)}` {name!r}"
        ev = InitEvent(site, call, api, v.zero, v.text, None, on="layer", role=WEIGHT, target_label=label,
                       framework=self.t.framework.name, number=v.number, keyword=kw, value_guard=v.guard)
        if name:
            ev.names.append(name)
        ev.names += assigned_names(site.ancestors)
        layer = self.t.resolver.layer(self.t.qualnames(call.func, scope))
        if layer is not None:
            spec = layer[1]
            ev.bias = self.bias_state(call, spec, scope)
            if spec.out_kernel and kw != spec.out_kernel:
                out_expr = get_arg(call, ArgSpec(None, spec.out_kernel))
                out_value = self.value(out_expr, scope, strings, spec.out_kernel) if out_expr is not None else None
                ev.output_init_random = out_expr is not None and (out_value is None or not out_value.zero)
        return ev

    def bias_state(self, call: cst.Call, spec: LayerSpec, scope: Scope) -> BiasState:
        """How a layer's bias starts, from its constructor's keywords."""
        if spec.use_bias and is_false(get_arg(call, ArgSpec(None, spec.use_bias))):
            return BiasState.NONE
        if spec.bias_only_with:
            b = get_arg(call, ArgSpec(None, spec.bias_only_with))
            if b is None or is_none(b):
                return BiasState.NONE
        expr = get_arg(call, ArgSpec(None, spec.bias_init)) if spec.bias_init else None
        if expr is None:
            return spec.default_bias
        if is_none(expr):
            return BiasState.NONE  # slim: biases_initializer=None makes no bias
        v = self.value(expr, scope, self.t.strings(call, scope), spec.bias_init)
        if v is None or v.number is None:
            return BiasState.RANDOM
        if v.number == 0:
            return BiasState.ZERO
        return BiasState.POSITIVE if v.number > 0 else BiasState.NEGATIVE

    def _star_kwargs(self, expr: cst.BaseExpression, scope: Scope, strings: dict) -> list:
        """``nn.Dense(n, **kw)`` with ``kw = {"kernel_init": zeros} if self.head_zeroinit else {}``."""
        out = []
        guard = None
        value = expr
        for _ in range(_MAX_DEPTH):
            if isinstance(value, cst.IfExp):
                if any(says_zero(n) for n in names_in(value.test)):
                    guard = source_of(value.test)
                value = value.body
                continue
            if isinstance(value, (cst.Name, cst.Attribute)):
                bound = lookup(value, scope)
                if bound is None:
                    return out
                value, scope = bound
                continue
            break
        items: list[tuple[str, cst.BaseExpression]] = []
        if isinstance(value, cst.Dict):
            items = [(string_value(e.key), e.value) for e in value.elements if isinstance(e, cst.DictElement)]
        elif isinstance(value, cst.Call) and dotted_name(value.func) == "dict":
            items = [(a.keyword.value, a.value) for a in value.args if a.keyword is not None]
        for key, val in items:
            if key in self.t.framework.kernel_keywords:
                v = self.value(val, scope, strings, key)
                if v is not None:
                    if guard and not v.guard:
                        v = Value(v.zero, v.text, v.api, v.number, guard)
                    out.append((key, v, f"{key}={v.api} (via `**{short(source_of(expr), 30)}`)"))
        return out

    # -- custom parameters ----------------------------------------------------------------------
    def parameter_event(self, site: CallSite, value: Value, name: Optional[str], how: str) -> InitEvent:
        """An event for a parameter made by a framework constructor (``add_weight``,
        ``self.param``...), whose name and shape said it is a weight."""
        stored = assigned_names(site.ancestors)
        shown = name or (stored[0] if stored else "parameter")
        label = f"the parameter `{shown}` made by `{how}`"
        parent = site.ancestors[-1] if site.ancestors else None
        target = None
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is site.call:
            node = parent.targets[0].target if isinstance(parent, cst.Assign) else parent.target
            target = path_of(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        ev = InitEvent(site, site.call, value.api, value.zero, value.text, target, on="tensor", role=WEIGHT,
                       target_label=label, framework=self.t.framework.name, number=value.number,
                       value_guard=value.guard)
        ev.names = ([name] if name else []) + stored
        return ev


def _name_kwarg(call: cst.Call) -> Optional[str]:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "name":
            text = string_value(a.value)
            if text is not None:
                return text
            if isinstance(a.value, cst.FormattedString):
                return "".join(p.value for p in a.value.parts if isinstance(p, cst.FormattedStringText)) or None
    return None


def assigned_names(ancestors: tuple) -> list[str]:
    """Names the layer (or its output) is stored under: ``self.head = ...``, ``logits = ...``,
    ``out["logits"] = ...``."""
    out: list[str] = []
    for anc in reversed(ancestors):
        if isinstance(anc, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in anc.targets] if isinstance(anc, cst.Assign) else [anc.target]
            for t in targets:
                if isinstance(t, cst.Name):
                    out.append(t.value)
                elif isinstance(t, cst.Attribute):
                    out.append(t.attr.value)
                elif isinstance(t, cst.Subscript) and len(t.slice) == 1 and isinstance(t.slice[0].slice, cst.Index):
                    key = string_value(t.slice[0].slice.value)
                    if key:
                        out.append(key)
            return out
        if isinstance(anc, (cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return out
    return out
