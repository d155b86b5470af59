"""Keras: the tables that tell the layer engine (``layer_engine``) what Keras layers,
initializers and custom layers (``add_weight``) look like, and Keras' init events."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

import libcst as cst

from initlint.static import activations as A
from initlint.static import apis_keras_flax as K
from initlint.static.apis import ArgSpec
from initlint.static.collect import CallSite, ClassInfo, ModuleFacts
from initlint.static.events import InitEvent, get_arg, number, source_of
from initlint.static.layer_engine import (
    Candidate, Engine, Tables, Where, assigned_names, bind_arguments, literal_ndim, parameter_is_weight, positional,
    short, string_value,
)
from initlint.static.names import Scope

# -- Keras tables --------------------------------------------------------------------------------


def keras_relative(qualname: str) -> Optional[str]:
    """``keras.src.layers.core.dense.Dense`` → ``layers.Dense``; None outside Keras."""
    for ns in K.KERAS_NAMESPACES:
        if qualname.startswith(ns):
            rest = qualname[len(ns):].split(".")
            if len(rest) >= 2:
                return f"{rest[0]}.{rest[-1]}"
            return rest[0]
    return None


class KerasTables(Tables):
    framework = "keras"
    kernel_keywords = K.KERAS_KERNEL_KEYWORDS

    def canonical(self, qualname: str) -> str:
        if qualname.startswith("tensorflow.initializers."):  # TF 2 aliases tf.keras.initializers
            return "keras.initializers." + qualname.rsplit(".", 1)[-1]
        rel = keras_relative(qualname)
        return f"keras.{rel}" if rel is not None else qualname

    def strings(self, call: Optional[cst.Call], where: Where) -> dict[str, float]:
        if call is not None and self._keras2(self.resolver.qualnames(call.func, where.scope)):
            return K.KERAS2_STRINGS
        if where.cls is not None:
            for base in where.cls.node.bases:
                if self._keras2(self.resolver.qualnames(base.value, where.cls.scope or where.scope)):
                    return K.KERAS2_STRINGS
        return K.KERAS3_STRINGS

    @staticmethod
    def _keras2(quals: Iterable[str]) -> bool:
        return any(q.startswith(K.KERAS2_NAMESPACES) for q in quals)

    def uncalled(self, quals: set[str], keyword: Optional[str]) -> Optional[K.InitValue]:
        for q in sorted(quals):
            if q.startswith("keras.initializers."):
                iv = K.KERAS_INITIALIZERS.get(q.rsplit(".", 1)[-1])
                if iv is not None:
                    return iv
        return None

    def factory(self, quals: set[str]) -> Optional[K.InitValue]:
        for q in sorted(quals):
            if q.startswith("keras.initializers."):
                iv = K.KERAS_INITIALIZERS.get(q.rsplit(".", 1)[-1])
                if iv is not None:
                    return iv
            if q in K.TF_INITIALIZERS:
                return K.TF_INITIALIZERS[q]
        return None

    def is_getter(self, quals: set[str]) -> bool:
        return any(q.removeprefix("keras.") in K.KERAS_GETTERS for q in quals)

    def layer(self, quals: set[str]) -> Optional[tuple[str, K.LayerSpec]]:
        for q in sorted(quals):
            if q.startswith("keras.layers."):
                name = q.rsplit(".", 1)[-1]
                spec = K.KERAS_LAYERS.get(name)
                if spec is not None:
                    return name, spec
        return None

    def is_sequential(self, quals: set[str]) -> bool:
        return any(q.removeprefix("keras.") in K.KERAS_SEQUENTIAL for q in quals)

    def is_passthrough(self, quals: set[str]) -> bool:
        return any(q.startswith("keras.layers.") and q.rsplit(".", 1)[-1] in K.KERAS_PASSTHROUGH for q in quals)

    def activation_string(self, text: str) -> Optional[A.Activation]:
        key = A.KERAS_ACTIVATION_STRINGS.get(text)
        return A.ACTIVATIONS[key] if key else None

    def activation_layer(self, call: cst.Call, quals: set[str], scope: Scope, engine: Engine) -> Optional[A.Activation]:
        for q in sorted(quals):
            if q == f"keras.layers.{K.KERAS_ACTIVATION_LAYER}":
                return engine.activation(call.args[0].value, scope) if call.args else None
            act = A.lookup(q)
            if act is None:
                continue
            if act.name == "relu" and q.endswith("ReLU"):
                slope = number(get_arg(call, ArgSpec(1, "negative_slope")))
                if slope:
                    return A.ACTIVATIONS["leaky relu"]
            return act
        return None

    def custom_events(self, engine: Engine) -> Iterator[Candidate]:
        for site in engine.facts.calls:
            c = self._add_weight(site, engine)
            if c is not None:
                yield c

    def _add_weight(self, site: CallSite, engine: Engine) -> Optional[Candidate]:
        """``self.add_weight(shape, initializer, ...)`` (Keras 3), ``add_weight(name, shape,
        dtype, initializer, ...)`` (Keras 2), ``add_variable`` and ``keras.Variable``."""
        call = site.call
        func = call.func
        is_method = isinstance(func, cst.Attribute) and func.attr.value in ("add_weight", "add_variable")
        if is_method:
            pos = positional(call)
            keras2 = bool(pos) and string_value(pos[0].value) is not None
            layout = ("name", "shape", "dtype", "initializer") if keras2 else ("shape", "initializer")
        elif "keras.Variable" in self.qualnames(func, site.scope) or "keras.variables.Variable" in self.qualnames(func, site.scope):
            layout = ("initializer", "shape")
        else:
            return None
        args = bind_arguments(call, layout, ("name", "shape", "initializer", "trainable"))
        init = args.get("initializer")
        if init is None:
            return None  # Keras's default for a float weight is glorot_uniform
        trainable = args.get("trainable")
        if isinstance(trainable, cst.Name) and trainable.value == "False":
            return None  # a frozen variable never trains: nothing to break
        where = engine.where_of(site)
        cls = engine.enclosing_class(site)
        if cls is not None and _is_metric(cls, self, where):
            return None
        name = string_value(args["name"]) if args.get("name") is not None else None
        stored = assigned_names(site.ancestors, call)
        ndim = literal_ndim(args.get("shape"))
        if not parameter_is_weight(name or (stored[0] if stored else None), ndim):
            return None
        v = engine.value(init, where, self.strings(None, where), "initializer")
        if v is None:
            return None
        shown = name or (stored[0] if stored else "weight")
        label = f"the weight `{shown}` made by `{short(source_of(func), 30)}`"
        c = Candidate(site, v, f"initializer={v.api}", label, where=where, cls=cls)
        c.names = ([name] if name else []) + stored
        return c


def _is_metric(cls: ClassInfo, tables: Tables, where: Where) -> bool:
    """A Keras metric keeps its accumulators in ``add_weight``/``add_variable``: state."""
    for base in cls.node.bases:
        for q in tables.qualnames(base.value, cls.scope or where.scope):
            if ".metrics." in f".{q}." or q.endswith("Metric"):
                return True
    return False


def events(facts: ModuleFacts, resolver) -> list[InitEvent]:
    return Engine(facts, KerasTables(resolver)).events()
