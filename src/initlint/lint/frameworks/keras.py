"""Keras: what differs from the other layer frameworks (Keras 2 vs 3 string tables,
``keras.initializers.get``, custom weights made by ``add_weight``); the rest is ``layers``."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

import libcst as cst

from initlint.knowledge import keras as K
from initlint.knowledge.naming import custom_parameter_is_weight
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.frameworks.layers import LayerProducer, Tables, Value, assigned_names
from initlint.lint.model.collect import CallSite, ClassInfo, ModuleFacts
from initlint.lint.model.literals import bind_arguments, is_false, literal_ndim, positional, short, source_of, string_value
from initlint.lint.model.resolve import Resolver
from initlint.lint.model.scopes import Scope


class KerasTables(Tables):
    framework = K.FRAMEWORK

    def strings(self, call: Optional[cst.Call], scope: Scope) -> dict[str, float]:
        if call is not None and _keras2(self.resolver.qualnames(call.func, scope, frameworks=False)):
            return K.KERAS2_STRINGS
        cls = scope.enclosing_class()
        if cls is not None:
            for base in cls.node.bases:
                if _keras2(self.resolver.qualnames(base.value, cls.scope or scope, frameworks=False)):
                    return K.KERAS2_STRINGS
        return K.KERAS3_STRINGS

    def is_getter(self, quals: set[str]) -> bool:
        return bool(quals & K.GETTERS)

    def custom_events(self, producer: LayerProducer) -> Iterator[InitEvent]:
        for site in producer.facts.calls:
            ev = self._add_weight(site, producer)
            if ev is not None:
                yield ev

    def _add_weight(self, site: CallSite, producer: LayerProducer) -> Optional[InitEvent]:
        """``self.add_weight(shape, initializer, ...)`` (Keras 3), ``add_weight(name, shape,
        dtype, initializer, ...)`` (Keras 2), ``add_variable`` and ``keras.Variable``."""
        call = site.call
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("add_weight", "add_variable"):
            pos = positional(call)
            keras2 = bool(pos) and string_value(pos[0].value) is not None
            layout = ("name", "shape", "dtype", "initializer") if keras2 else ("shape", "initializer")
        elif self.qualnames(func, site.scope) & {"keras.Variable", "keras.variables.Variable"}:
            layout = ("initializer", "shape")
        else:
            return None
        args = bind_arguments(call, layout, ("name", "shape", "initializer", "trainable"))
        init = args.get("initializer")
        if init is None:
            return None  # Keras's default for a float weight is glorot_uniform
        if is_false(args.get("trainable")):
            return None  # a frozen variable never trains: nothing to break
        cls = site.scope.enclosing_class()
        if cls is not None and self._is_metric(cls, site.scope):
            return None
        name = string_value(args["name"]) if args.get("name") is not None else None
        stored = assigned_names(site.ancestors)
        if not custom_parameter_is_weight(name or (stored[0] if stored else None), literal_ndim(args.get("shape"))):
            return None
        v = producer.value(init, site.scope, self.strings(None, site.scope), "initializer")
        if v is None:
            return None
        ev = producer.parameter_event(site, Value(v.zero, v.text, f"initializer={v.api}", v.number, v.guard),
                                      name, short(source_of(func), 30))
        shown = name or (stored[0] if stored else "weight")
        ev.target_label = f"the weight `{shown}` made by `{short(source_of(func), 30)}`"
        return ev

    def _is_metric(self, cls: ClassInfo, scope: Scope) -> bool:
        """A Keras metric keeps its accumulators in ``add_weight``/``add_variable``: state."""
        for base in cls.node.bases:
            for q in self.qualnames(base.value, cls.scope or scope):
                if ".metrics." in f".{q}." or q.endswith("Metric"):
                    return True
        return False


def _keras2(quals: Iterable[str]) -> bool:
    return any(q.startswith(K.KERAS2_NAMESPACES) for q in quals)


def events(facts: ModuleFacts, resolver: Resolver) -> list[InitEvent]:
    return LayerProducer(facts, KerasTables(resolver)).events()
