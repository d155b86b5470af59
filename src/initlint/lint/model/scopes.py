"""Scopes and bindings: the one answer to "what is this name bound to?" (pyflakes's model).

Each scope (module, class, function, lambda) records what its names are bound to: the dotted
names an import gives them (import resolution uses our own table; libcst's
QualifiedNameProvider is ~8x slower), and for a plain assignment the value last assigned
(``values``). A name resolves to *every* import candidate of the nearest scope that binds it,
so try/except fallback imports are all considered; a scope that binds a name only locally
shadows imports. :func:`lookup` answers "what value does this name or ``self.x`` hold
here", for every producer and the judge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Optional, Union

import libcst as cst

if TYPE_CHECKING:
    from initlint.lint.model.collect import ClassInfo, FunctionInfo

LOCAL = "<local>"


@dataclass(eq=False)
class Scope:
    node: cst.CSTNode
    kind: str  # "module" | "function" | "class" | "lambda"
    parent: Optional["Scope"]
    bindings: dict[str, set[str]] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    #: name -> the value of its last plain assignment in this scope (source order)
    values: dict[str, cst.BaseExpression] = field(default_factory=dict)
    params: set[str] = field(default_factory=set)
    function: "Optional[FunctionInfo]" = None  # for function scopes
    cls: "Optional[ClassInfo]" = None  # for class scopes

    def bind(self, name: str, target: str = LOCAL) -> None:
        self.bindings.setdefault(name, set()).add(target)

    def resolve_head(self, name: str) -> set[str]:
        """Dotted names that ``name`` may stand for; empty when it is a local value or unknown."""
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            # Class bodies are not visible from the functions nested in them.
            if scope.kind != "class" or first:
                bound = scope.bindings.get(name)
                if bound:
                    return {b for b in bound if b != LOCAL}
                if scope.star_imports and scope.kind == "module":
                    return {f"{m}.{name}" for m in scope.star_imports}
            first = False
            scope = scope.parent
        return set()

    def resolve(self, dotted: Optional[str]) -> set[str]:
        """Resolve ``a.b.c`` by resolving the head ``a`` and appending the rest."""
        if not dotted:
            return set()
        head, _, rest = dotted.partition(".")
        return {f"{h}.{rest}" if rest else h for h in self.resolve_head(head)}

    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def enclosing_class(self) -> "Optional[ClassInfo]":
        """The class whose method this scope is in (``self`` means its instance)."""
        scope: Optional[Scope] = self
        while scope is not None:
            if scope.kind == "function" and scope.function is not None and scope.function.cls is not None:
                return scope.function.cls
            if scope.kind == "class":
                return scope.cls
            scope = scope.parent
        return None

    def enclosing_function(self) -> "Optional[FunctionInfo]":
        scope: Optional[Scope] = self
        while scope is not None:
            if scope.kind == "function":
                return scope.function
            scope = scope.parent
        return None


class Binding(NamedTuple):
    """A value a name holds, and the scope in which to read that value's own names."""

    value: cst.BaseExpression
    scope: Scope


def lookup(expr: cst.BaseExpression, scope: Scope) -> Optional[Binding]:
    """What a local or module name, or ``self.x``, was last assigned, seen from ``scope``.
    None for a parameter, an import, a loop variable, or anything not assigned plainly."""
    if isinstance(expr, cst.Name):
        name = expr.value
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if current.kind != "class" or first:
                if name in current.values:
                    return Binding(current.values[name], current)
                if name in current.params or name in current.bindings:
                    return None
            first = False
            current = current.parent
        return None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
        cls = scope.enclosing_class()
        if cls is None:
            return None
        attr = expr.attr.value
        if attr in cls.attrs:
            value, where = cls.attrs[attr]
            return Binding(value, where)
        if cls.scope is not None and attr in cls.scope.values:
            return Binding(cls.scope.values[attr], cls.scope)
    return None


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def last_name(node: cst.CSTNode) -> str:
    """``Hardtanh`` for ``nn . Hardtanh`` or ``nn.Hardtanh(...)``: whitespace-proof."""
    while isinstance(node, (cst.Call, cst.Subscript)):
        node = node.func if isinstance(node, cst.Call) else node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def _module_name(node: Union[cst.Attribute, cst.Name, None]) -> str:
    return dotted_name(node) if node is not None else ""


def bind_import(scope: Scope, node: Union[cst.Import, cst.ImportFrom]) -> None:
    """Record what an import statement binds in ``scope``."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = _module_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                scope.bind(alias.asname.name.value, full)
            else:
                head = full.split(".")[0]
                scope.bind(head, head)
        return
    dots = "." * len(node.relative)
    module = dots + _module_name(node.module)
    if isinstance(node.names, cst.ImportStar):
        if not dots:
            scope.star_imports.append(module)
        return
    for alias in node.names:
        name = alias.name.value if isinstance(alias.name, cst.Name) else dotted_name(alias.name)
        bound = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            bound = alias.asname.name.value
        scope.bind(bound, f"{module}.{name}" if module != "." else f".{name}")


def bind_target(scope: Scope, target: cst.BaseExpression) -> None:
    """Bind the plain names of an assignment/for/with target as locals."""
    if isinstance(target, cst.Name):
        scope.bind(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            bind_target(scope, el.value)
    elif isinstance(target, cst.StarredElement):
        bind_target(scope, target.value)
