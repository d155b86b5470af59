"""What a target is: a weight/kernel, a bias, a norm parameter, a scalar, a gradient, a slice.

Only weights and kernels can be findings. A target is kept as a ``Path``: the chain of
names and subscripts of ``self.blocks[0].fc.weight.data`` with ``.data``-like accessors removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst

from initlint.static.apis import SAME_STORAGE_ACCESSORS
from initlint.static.rolenames import BIAS, GRAD, NORM, SCALAR, SLICE, UNKNOWN, WEIGHT, is_norm_owner_name, name_role


#: Subscript placeholder: an index that is not a literal integer.
ANY_INDEX = "?"

@dataclass(frozen=True)
class Path:
    """``self.blocks[0].fc.weight`` → root ``self``, parts ``("blocks", 0, "fc", "weight")``.
    Integer and ``ANY_INDEX`` parts are subscripts."""

    root: str
    parts: tuple

    @property
    def last(self) -> Union[str, int, None]:
        return self.parts[-1] if self.parts else None

    @property
    def attrs(self) -> tuple:
        return tuple(p for p in self.parts if isinstance(p, str) and p != ANY_INDEX)

    def owner(self) -> "Path":
        """The module that holds the parameter: ``self.fc`` for ``self.fc.weight``."""
        return Path(self.root, self.parts[:-1])

    def child(self, *parts) -> "Path":
        return Path(self.root, self.parts + tuple(parts))

    def owner_name(self) -> Optional[str]:
        """The last attribute naming the owner module (``fc`` in ``self.fc.weight``)."""
        for p in reversed(self.parts[:-1]):
            if isinstance(p, str) and p != ANY_INDEX:
                return p
        return self.root if len(self.parts) >= 1 else None

    def text(self) -> str:
        out = self.root
        for p in self.parts:
            out += f"[{p}]" if isinstance(p, int) else ("[...]" if p == ANY_INDEX else f".{p}")
        return out


def path_of(expr: cst.BaseExpression) -> Optional[Path]:
    """The ``Path`` of an attribute/subscript chain; ``.data``/``.detach()`` are the same tensor."""
    parts: list = []
    node = expr
    while True:
        if isinstance(node, cst.Attribute):
            if node.attr.value not in SAME_STORAGE_ACCESSORS:
                parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                node.func.attr.value in SAME_STORAGE_ACCESSORS and not node.args:
            node = node.func.value
        elif isinstance(node, cst.Subscript):
            parts.append(_index(node))
            node = node.value
        elif isinstance(node, cst.Name):
            return Path(node.value, tuple(reversed(parts)))
        else:
            return None


def _index(node: cst.Subscript) -> Union[int, str]:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if isinstance(value, cst.Integer):
            return int(value.value, 0)
        if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus) \
                and isinstance(value.expression, cst.Integer):
            return -int(value.expression.value, 0)
        if isinstance(value, cst.SimpleString):
            return ANY_INDEX  # ModuleDict["adapter"]: still a module
    return ANY_INDEX if _is_plain_index(node) else "<slice>"


def _is_plain_index(node: cst.Subscript) -> bool:
    return len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)


def tensor_role(path: Path) -> str:
    """Role of a tensor target from its path alone (owner types are checked by the analyzer)."""
    if "grad" in path.parts or path.root == "grad":
        return GRAD
    last = path.last
    if last is None:
        return name_role(path.root) if path.root not in ("self", "cls") else UNKNOWN
    if not isinstance(last, str) or last in (ANY_INDEX, "<slice>"):
        # weight[padding_idx], weight[:, 3:]: part of a tensor. A subscript *before* the
        # parameter name (layers[0].weight) is a module index and is fine.
        return SLICE
    role = name_role(last)
    if role == WEIGHT and is_norm_owner_name(path.owner_name()) and (len(path.parts) >= 2 or path.root not in ("self", "cls")):
        return NORM
    return role
