"""TensorFlow 1 and TF-slim: functional layers with ``weights_initializer=``, ``slim.arg_scope``
(one keyword for every listed layer), and variables made by hand (``tf.get_variable``,
``tf.Variable(tf.zeros(...))``); the rest is ``layers``."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from initlint.knowledge import tensorflow as TF
from initlint.knowledge.naming import custom_parameter_is_weight
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.frameworks.layers import LayerProducer, Tables, assigned_names
from initlint.lint.model.collect import CallSite, ModuleFacts
from initlint.lint.model.literals import bind_arguments, literal_ndim, positional, short, source_of, string_value
from initlint.lint.model.resolve import Resolver


class TensorflowTables(Tables):
    framework = TF.FRAMEWORK

    def custom_events(self, producer: LayerProducer) -> Iterator[InitEvent]:
        helpers: dict = {}
        for site in producer.facts.calls:
            ev = self._variable(site, producer)
            if ev is not None:
                yield ev
            helper = self._variable_helper(site, producer)
            if helper is not None:
                helpers[helper[0]] = helper[1]
        for site in producer.facts.calls:  # W_conv1 = weight_variable([5, 5, 1, 32])
            value = helpers.get(site.call.func.value) if helpers and isinstance(site.call.func, cst.Name) else None
            if value is None:
                continue
            stored = assigned_names(site.ancestors)
            pos = positional(site.call)
            if stored and \
                    custom_parameter_is_weight(stored[0], literal_ndim(pos[0].value) if pos else None):
                ev = producer.parameter_event(site, value, stored[0], f"{site.call.func.value}()")
                yield ev

    def _variable_helper(self, site: CallSite, producer: LayerProducer):
        """``def weight_variable(shape): return tf.Variable(tf.zeros(shape))``: (its name, the
        constant) -- every variable it makes starts at that constant."""
        parent = site.ancestors[-1] if site.ancestors else None
        fn = next((a for a in reversed(site.ancestors) if isinstance(a, cst.FunctionDef)), None)
        if not isinstance(parent, cst.Return) or fn is None:
            return None
        if not self.qualnames(site.call.func, site.scope) & TF.VARIABLE:
            return None
        pos = positional(site.call)
        inner = pos[0].value if pos else None
        if not isinstance(inner, cst.Call):
            return None
        iv = self.array_factory(self.qualnames(inner.func, site.scope))
        value = producer.from_init_value(iv, inner, short(source_of(inner)), site.scope) if iv is not None else None
        return (fn.name.value, value) if value is not None else None

    def _variable(self, site: CallSite, producer: LayerProducer) -> Optional[InitEvent]:
        """``tf.get_variable("W", [784, 10], initializer=tf.zeros_initializer())`` and
        ``W = tf.Variable(tf.zeros([784, 10]))``."""
        quals = self.qualnames(site.call.func, site.scope) if isinstance(site.call.func, (cst.Name, cst.Attribute)) else set()
        if not quals & (TF.GET_VARIABLE | TF.VARIABLE):
            return None
        stored = assigned_names(site.ancestors)
        if quals & TF.GET_VARIABLE:
            args = bind_arguments(site.call, ("name", "shape", "dtype", "initializer"), ("name", "shape", "initializer"))
            init = args.get("initializer")
            name = string_value(args.get("name")) or (stored[0] if stored else None)
            if init is None or not custom_parameter_is_weight(name, literal_ndim(args.get("shape"))):
                return None
            value = producer.value(init, site.scope, {}, "initializer")
            return producer.parameter_event(site, value, name, "tf.get_variable") if value is not None else None
        if quals & TF.VARIABLE:
            pos = positional(site.call)
            inner = pos[0].value if pos else None
            if not isinstance(inner, cst.Call):
                return None
            iv = self.array_factory(self.qualnames(inner.func, site.scope))
            inner_pos = positional(inner)
            ndim = literal_ndim(inner_pos[0].value) if inner_pos else None
            if iv is None or not custom_parameter_is_weight(stored[0] if stored else None, ndim):
                return None
            value = producer.from_init_value(iv, inner, short(source_of(inner)), site.scope)
            return producer.parameter_event(site, value, None, "tf.Variable") if value is not None else None
        return None


def events(facts: ModuleFacts, resolver: Resolver) -> list[InitEvent]:
    producer = LayerProducer(facts, TensorflowTables(resolver))
    found = producer.events()
    for ev in found:
        _mark_arg_scope(ev, resolver)
    return found


def _mark_arg_scope(ev: InitEvent, resolver: Resolver) -> None:
    """``slim.arg_scope([slim.conv2d, slim.fully_connected], weights_initializer=zeros)``: the
    init reaches every listed layer called in the scope."""
    call = ev.site.call
    if not isinstance(call.func, (cst.Name, cst.Attribute)) or not resolver.qualnames(call.func, ev.site.scope) & TF.ARG_SCOPES:
        return
    listed = positional(call)[0].value if positional(call) else None
    items = [e.value for e in listed.elements] if isinstance(listed, (cst.List, cst.Tuple)) else []
    specs = tuple(found[1] for e in items if (found := resolver.layer(resolver.qualnames(e, ev.site.scope))))
    ev.every = f"every `{short(source_of(listed), 50)}` in the `arg_scope`" if listed is not None else "the `arg_scope`"
    ev.every_specs = specs
