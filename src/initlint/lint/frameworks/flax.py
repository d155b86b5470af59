"""Flax (linen and nnx), JAX and Haiku: what differs from the other layer frameworks (Haiku's
``jnp.zeros`` as an initializer, and the ways of declaring a custom parameter:
``self.param("kernel", init, shape)``, ``hk.get_parameter(...)``, ``nnx.Param(...)``); the
rest is ``layers``."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from initlint.knowledge import flax as F
from initlint.knowledge.base import InitFunction
from initlint.knowledge.naming import custom_parameter_is_weight
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.frameworks.layers import LayerProducer, Tables, Value, assigned_names
from initlint.lint.model.collect import CallSite, ModuleFacts
from initlint.lint.model.literals import (
    bind_arguments, fmt, literal_ndim, number, positional, short, source_of, string_value,
)
from initlint.lint.model.resolve import Resolver


class FlaxTables(Tables):
    framework = F.FRAMEWORK

    def uncalled(self, quals: set[str], keyword: Optional[str]) -> Optional[InitFunction]:
        found = super().uncalled(quals, keyword)
        if found is None and keyword in F.HAIKU_INIT_KEYWORDS:
            for q in sorted(quals):  # Haiku calls an initializer as init(shape, dtype)
                found = F.ARRAY_FUNCTIONS_AS_INITIALIZERS.get(q)
                if found is not None:
                    break
        return found

    def custom_events(self, producer: LayerProducer) -> Iterator[InitEvent]:
        for site in producer.facts.calls:
            ev = self._self_param(site, producer) or self._haiku_parameter(site, producer) or \
                self._nnx_param(site, producer) or self._functional_update(site, producer) or \
                self._tree_map(site, producer)
            if ev is not None:
                yield ev

    def _functional_update(self, site: CallSite, producer: LayerProducer) -> Optional[InitEvent]:
        """``params["Dense_0"]["kernel"].at[...].set(0.0)``: JAX's in-place fill of a whole leaf."""
        func = site.call.func
        at, set_ = F.FUNCTIONAL_UPDATE
        if not (isinstance(func, cst.Attribute) and func.attr.value == set_ and isinstance(func.value, cst.Subscript)
                and isinstance(func.value.value, cst.Attribute) and func.value.value.attr.value == at):
            return None
        index = func.value.slice[0].slice if len(func.value.slice) == 1 else None
        whole = isinstance(index, cst.Index) and isinstance(index.value, cst.Ellipsis) or \
            isinstance(index, cst.Slice) and index.lower is None and index.upper is None
        value = number(site.call.args[0].value) if site.call.args else None
        if not whole or value is None:
            return None
        leaf = func.value.value.value
        name = _leaf_name(leaf)
        if not custom_parameter_is_weight(name, None):
            return None
        ev = producer.parameter_event(site, Value(value == 0, fmt(value), f".at[...].set({fmt(value)})", value),
                                      name, ".at[...].set")
        ev.target_label = f"`{short(source_of(leaf), 40)}`"
        return ev

    def _tree_map(self, site: CallSite, producer: LayerProducer) -> Optional[InitEvent]:
        """``jax.tree_util.tree_map(jnp.zeros_like, params)``: every parameter set to zero."""
        if not isinstance(site.call.func, (cst.Attribute, cst.Name)) or \
                not self.qualnames(site.call.func, site.scope) & {"jax.tree_util.tree_map", "jax.tree.map", "jax.tree_map"}:
            return None
        pos = positional(site.call)
        if len(pos) < 2:
            return None
        iv = self.array_factory({q.replace("_like", "") for q in self.qualnames(pos[0].value, site.scope)
                                 if q.endswith("_like")}) if isinstance(pos[0].value, (cst.Name, cst.Attribute)) else None
        if iv is None:
            return None
        value = producer.from_init_value(iv, None, short(source_of(pos[0].value)), site.scope)
        if value is None:
            return None
        ev = producer.parameter_event(site, value, None, "tree_map")
        ev.target_label = f"every leaf of `{short(source_of(pos[1].value), 40)}`"
        ev.every = f"every parameter of `{short(source_of(pos[1].value), 40)}`"
        return ev

    def _self_param(self, site: CallSite, producer: LayerProducer) -> Optional[InitEvent]:
        """Linen: ``self.param("kernel", init_fn, (din, dout))``."""
        func = site.call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "param"
                and isinstance(func.value, cst.Name) and func.value.value == "self"):
            return None
        args = bind_arguments(site.call, ("name", "init_fn", "shape"), ("name", "init_fn"))
        return self._named_parameter(site, producer, args, "init_fn", "self.param")

    def _haiku_parameter(self, site: CallSite, producer: LayerProducer) -> Optional[InitEvent]:
        """Haiku: ``hk.get_parameter("w", [din, dout], init=hk.initializers.Constant(0))``."""
        if not (isinstance(site.call.func, (cst.Attribute, cst.Name))):
            return None
        if "haiku.get_parameter" not in self.qualnames(site.call.func, site.scope):
            return None
        args = bind_arguments(site.call, ("name", "shape", "dtype", "init"), ("name", "shape", "init"))
        return self._named_parameter(site, producer, args, "init", "hk.get_parameter")

    def _named_parameter(self, site: CallSite, producer: LayerProducer, args: dict, init_key: str,
                         how: str) -> Optional[InitEvent]:
        """A parameter declared by name, shape and initializer (linen's ``self.param``,
        Haiku's ``get_parameter``): an event when the name and shape make it a weight."""
        init = args.get(init_key)
        if init is None:
            return None
        name = string_value(args["name"]) if args.get("name") is not None else None
        if not custom_parameter_is_weight(name, literal_ndim(args.get("shape"))):
            return None
        value = producer.value(init, site.scope, {}, init_key)
        if value is None:
            return None
        return producer.parameter_event(site, value, name, how)

    def _nnx_param(self, site: CallSite, producer: LayerProducer) -> Optional[InitEvent]:
        """nnx: ``self.w = nnx.Param(jnp.zeros((din, dout)))`` or
        ``nnx.Param(nnx.initializers.zeros(rngs.params(), (din, dout)))``."""
        call = site.call
        if not isinstance(call.func, (cst.Attribute, cst.Name)):
            return None
        if "flax.nnx.Param" not in self.qualnames(call.func, site.scope):
            return None
        pos = positional(call)
        if not pos or not isinstance(pos[0].value, cst.Call):
            return None
        inner = pos[0].value
        inner_pos = positional(inner)
        value, ndim = None, None
        iv = self.array_factory(self.qualnames(inner.func, site.scope))
        if iv is not None:
            value = producer.from_init_value(iv, inner, short(source_of(inner)), site.scope)
            ndim = literal_ndim(inner_pos[0].value) if inner_pos else None
        else:
            init = producer.value(inner.func, site.scope, {}, "init_fn")
            if init is None:
                return None
            value = Value(init.zero, init.text, short(source_of(inner)), init.number, init.guard)
            ndim = literal_ndim(inner_pos[1].value) if len(inner_pos) > 1 else None
        if value is None:
            return None
        stored = assigned_names(site.ancestors)
        if not custom_parameter_is_weight(stored[0] if stored else None, ndim):
            return None
        return producer.parameter_event(site, value, None, "nnx.Param")


def _leaf_name(expr: cst.BaseExpression) -> Optional[str]:
    """``params["Dense_0"]["kernel"]`` → ``kernel``; ``w`` → ``w``; ``self.kernel`` → ``kernel``."""
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        return string_value(expr.slice[0].slice.value)
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return expr.value if isinstance(expr, cst.Name) else None


def events(facts: ModuleFacts, resolver: Resolver) -> list[InitEvent]:
    return LayerProducer(facts, FlaxTables(resolver)).events()
