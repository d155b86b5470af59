"""Names → canonical dotted names → knowledge rows, for every framework at once.

A callee is resolved through the import table (``scopes``), the known and user-configured
wrapper modules (``transformers.initialization`` is ``torch.nn.init``), and each framework's
canonical spelling (``tf.keras.layers.Dense`` is ``keras.layers.Dense``); the lookups below then
read the knowledge tables with those names.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from initlint.knowledge import FRAMEWORKS, flax, keras, tensorflow, torch
from initlint.knowledge.base import Framework, InitFunction, LayerSpec
from initlint.lint.model.scopes import Scope, dotted_name


def canonical(qualname: str, wrappers: "dict[str, str]", frameworks: bool = True) -> str:
    """Map a dotted name through known (and user-configured) wrappers to its canonical name,
    and (``frameworks``) through each framework's own spelling."""
    for wrapper, target in wrappers.items():
        if qualname == wrapper:
            return target
        if qualname.startswith(wrapper + "."):
            return target + qualname[len(wrapper):]
    return tensorflow.canonical(flax.canonical(keras.canonical(qualname))) if frameworks else qualname


class Resolver:
    """Resolves callees through the import table and the (user-extended) wrapper table.
    One per file: every producer asks the names of every call, so answers are kept by node."""

    def __init__(self, wrappers: "dict[str, str]" = None, extra_functions: "dict[str, str]" = None):
        self.wrappers = {**torch.INIT_MODULE_WRAPPERS, **(wrappers or {})}
        self.extra_functions = extra_functions or {}
        self._layers = {name: (fw, spec) for fw in FRAMEWORKS for name, spec in fw.layers.items()}
        self._norms = frozenset().union(*(fw.norms for fw in FRAMEWORKS))
        self._passthrough = frozenset().union(*(fw.passthrough for fw in FRAMEWORKS))
        self._sequential = frozenset().union(*(fw.sequential for fw in FRAMEWORKS))
        self._containers = frozenset().union(*(fw.containers for fw in FRAMEWORKS)) | self._sequential
        self._splits = frozenset().union(*(fw.split_functions for fw in FRAMEWORKS))
        self._init_functions = {n: f for fw in FRAMEWORKS for n, f in fw.init_functions.items()}
        self._factories = {n: f for fw in FRAMEWORKS for n, f in fw.factories.items()}
        #: (id(expr), id(scope), frameworks) -> (expr, names): the node is held so its id stays its own
        self._known: dict = {}

    def qualnames(self, expr: cst.BaseExpression, scope: Scope, frameworks: bool = True) -> "frozenset[str]":
        """Every dotted name ``expr`` may stand for; ``frameworks=False`` keeps each
        framework's own spelling (``tf_keras.layers.Dense`` says Keras 2)."""
        key = (id(expr), id(scope), frameworks)
        known = self._known.get(key)
        if known is not None and known[0] is expr:
            return known[1]
        names = frozenset(self._qualnames(expr, scope, frameworks))
        self._known[key] = (expr, names)
        return names

    def _qualnames(self, expr: cst.BaseExpression, scope: Scope, frameworks: bool) -> "set[str]":
        out = set()
        for q in scope.resolve(dotted_name(expr)):
            if q.startswith("."):
                q = self._relative(q)
            q = canonical(q, self.wrappers, frameworks)
            out.add(self.extra_functions.get(q, q))
        return out

    def _relative(self, q: str) -> str:
        """``...initialization.zeros_`` inside a package: the wrapper module it names."""
        bare = q.lstrip(".")
        for wrapper in self.wrappers:
            tail = wrapper.rsplit(".", 1)[-1]
            if bare == tail or bare.startswith(tail + "."):
                return wrapper + bare[len(tail):]
        return q

    # -- lookups in the knowledge tables -------------------------------------------------------
    def init_function(self, call: cst.Call, scope: Scope) -> "tuple[Optional[str], Optional[InitFunction]]":
        for q in sorted(self.qualnames(call.func, scope)):
            fn = self._init_functions.get(q)
            if fn is not None:
                return q, fn
        return None, None

    def factory(self, expr: cst.BaseExpression, scope: Scope) -> "tuple[Optional[str], Optional[InitFunction]]":
        """``torch.zeros(...)``, ``jnp.ones(...)``: an array factory call with a constant result."""
        if not isinstance(expr, cst.Call):
            return None, None
        for q in sorted(self.qualnames(expr.func, scope)):
            fn = self._factories.get(q)
            if fn is not None:
                return q, fn
        return None, None

    def layer(self, quals: set[str]) -> "Optional[tuple[str, LayerSpec, Framework]]":
        """(short name, spec, framework) of a weight layer class."""
        for q in sorted(quals):
            found = self._layers.get(q)
            if found is not None:
                return q.rsplit(".", 1)[-1], found[1], found[0]
        return None

    def is_norm(self, quals: set[str]) -> bool:
        return bool(quals & self._norms)

    def is_passthrough(self, quals: set[str]) -> bool:
        return bool(quals & self._passthrough)

    def is_sequential(self, quals: set[str]) -> bool:
        return bool(quals & self._sequential)

    def is_container(self, quals: set[str]) -> bool:
        return bool(quals & self._containers)

    def is_split(self, quals: set[str]) -> bool:
        return bool(quals & self._splits)
