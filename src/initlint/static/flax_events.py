"""Flax (linen and nnx), JAX and Haiku: init events of layers (``kernel_init=...``,
``embedding_init=...``, Haiku's ``w_init=...``) and of custom parameters
(``self.param("kernel", init, shape)``, ``hk.get_parameter(...)``, ``nnx.Param(...)``).

The engine (value resolution, what a layer's output meets, intent) is shared with Keras and
lives in ``layer_engine``; this module holds only what is Flax's: its initializer modules,
its layers (whose default bias is ``zeros_init()``), and its ways of declaring a parameter.
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from initlint.static import activations as A
from initlint.static import apis_keras_flax as K
from initlint.static.collect import CallSite, ModuleFacts
from initlint.static.events import InitEvent, source_of
from initlint.static.layer_engine import (
    Candidate, Engine, Tables, Value, Where, assigned_names, bind_arguments, literal_ndim, parameter_is_weight,
    positional, short, string_value,
)
from initlint.static.names import Scope

#: Keywords through which Haiku takes an initializer called as ``init(shape, dtype)``, so that
#: ``jnp.zeros`` itself is one.
_HAIKU_INIT_KEYWORDS = frozenset({"w_init", "init"})


class FlaxTables(Tables):
    framework = "flax"
    kernel_keywords = K.FLAX_KERNEL_KEYWORDS

    def canonical(self, qualname: str) -> str:
        for internal, public in K.FLAX_MODULE_ALIASES.items():
            if qualname.startswith(internal):
                return public + qualname[len(internal):]
        return qualname

    def uncalled(self, quals: set[str], keyword: Optional[str]) -> Optional[K.InitValue]:
        for q in sorted(quals):
            module, _, name = q.rpartition(".")
            if module in K.FLAX_INITIALIZER_MODULES and name in K.FLAX_INITIALIZERS:
                return K.FLAX_INITIALIZERS[name]
            if keyword in _HAIKU_INIT_KEYWORDS and q in K.ARRAY_FUNCTIONS_AS_INITIALIZERS:
                return K.ARRAY_FUNCTIONS_AS_INITIALIZERS[q]
        return None

    def factory(self, quals: set[str]) -> Optional[K.InitValue]:
        for q in sorted(quals):
            module, _, name = q.rpartition(".")
            if module in K.FLAX_INITIALIZER_MODULES and name in K.FLAX_FACTORIES:
                return K.FLAX_FACTORIES[name]
            if q in K.HAIKU_FACTORIES:
                return K.HAIKU_FACTORIES[q]
        return None

    def layer(self, quals: set[str]) -> Optional[tuple[str, K.LayerSpec]]:
        for q in sorted(quals):
            spec = K.FLAX_LAYERS.get(q)
            if spec is not None:
                return q.rsplit(".", 1)[-1], spec
        return None

    def is_sequential(self, quals: set[str]) -> bool:
        return bool(quals & K.FLAX_SEQUENTIAL)

    def is_passthrough(self, quals: set[str]) -> bool:
        return bool(quals & K.FLAX_PASSTHROUGH)

    def activation_layer(self, call: cst.Call, quals: set[str], scope: Scope, engine: Engine) -> Optional[A.Activation]:
        for q in sorted(quals):
            act = A.lookup(q)
            if act is not None:
                return act
        return None

    def custom_events(self, engine: Engine) -> Iterator[Candidate]:
        for site in engine.facts.calls:
            c = self._self_param(site, engine) or self._haiku_parameter(site, engine) or self._nnx_param(site, engine)
            if c is not None:
                yield c

    # -- custom parameters --------------------------------------------------------------
    def _candidate(self, site: CallSite, engine: Engine, value: Value, name: Optional[str], how: str,
                   where: Where) -> Candidate:
        stored = assigned_names(site.ancestors, site.call)
        shown = name or (stored[0] if stored else "parameter")
        label = f"the parameter `{shown}` made by `{how}`"
        c = Candidate(site, value, value.api, label, where=where, cls=engine.enclosing_class(site))
        c.names = ([name] if name else []) + stored
        return c

    def _self_param(self, site: CallSite, engine: Engine) -> Optional[Candidate]:
        """Linen: ``self.param("kernel", init_fn, (din, dout))``."""
        func = site.call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "param"
                and isinstance(func.value, cst.Name) and func.value.value == "self"):
            return None
        args = bind_arguments(site.call, ("name", "init_fn", "shape"), ("name", "init_fn"))
        return self._named_parameter(site, engine, args, "init_fn", "self.param")

    def _haiku_parameter(self, site: CallSite, engine: Engine) -> Optional[Candidate]:
        """Haiku: ``hk.get_parameter("w", [din, dout], init=hk.initializers.Constant(0))``."""
        if not (isinstance(site.call.func, (cst.Attribute, cst.Name))):
            return None
        quals = self.qualnames(site.call.func, site.scope)
        if not quals & {"haiku.get_parameter", "haiku._src.base.get_parameter"}:
            return None
        args = bind_arguments(site.call, ("name", "shape", "dtype", "init"), ("name", "shape", "init"))
        return self._named_parameter(site, engine, args, "init", "hk.get_parameter")

    def _named_parameter(self, site: CallSite, engine: Engine, args: dict, init_key: str,
                         api: str) -> Optional[Candidate]:
        """A parameter declared by name, shape and initializer (linen's ``self.param``,
        Haiku's ``get_parameter``): a candidate when the name and shape make it a weight."""
        init = args.get(init_key)
        if init is None:
            return None
        name = string_value(args["name"]) if args.get("name") is not None else None
        if not parameter_is_weight(name, literal_ndim(args.get("shape"))):
            return None
        where = engine.where_of(site)
        value = engine.value(init, where, {}, init_key)
        if value is None:
            return None
        return self._candidate(site, engine, value, name, api, where)

    def _nnx_param(self, site: CallSite, engine: Engine) -> Optional[Candidate]:
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
        where = engine.where_of(site)
        value, ndim = None, None
        for q in self.qualnames(inner.func, site.scope):
            iv = K.ARRAY_FACTORIES.get(q)
            if iv is not None:
                value = engine._from_init_value(iv, inner, short(source_of(inner)), where)
                inner_pos = positional(inner)
                ndim = literal_ndim(inner_pos[0].value) if inner_pos else None
                break
        if value is None:
            init = engine.value(inner.func, where, {}, "init_fn")
            if init is None:
                return None
            value = Value(init.zero, init.text, short(source_of(inner)), init.number, init.guard)
            inner_pos = positional(inner)
            ndim = literal_ndim(inner_pos[1].value) if len(inner_pos) > 1 else None
        if value is None:
            return None
        stored = assigned_names(site.ancestors, call)
        if not parameter_is_weight(stored[0] if stored else None, ndim):
            return None
        return self._candidate(site, engine, value, None, "nnx.Param", where)


def events(facts: ModuleFacts, resolver) -> list[InitEvent]:
    return Engine(facts, FlaxTables(resolver)).events()
