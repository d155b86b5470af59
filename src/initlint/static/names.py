"""Name resolution with our own import table (libcst's QualifiedNameProvider is ~8x slower).

Each scope (module, function, lambda, class) records what its names are bound to: the dotted
name an import gives them, or "local" for any other binding (assignment, def, parameter...).
A name resolves to *every* import candidate of the nearest scope that binds it, so try/except
fallback imports are all considered; a scope that binds a name only locally shadows imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

LOCAL = "<local>"


@dataclass
class Scope:
    node: cst.CSTNode
    kind: str  # "module" | "function" | "class" | "lambda" | "comprehension"
    parent: Optional["Scope"]
    bindings: dict[str, set[str]] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)

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
