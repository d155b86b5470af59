"""What a target is, from its path alone: a weight/kernel, a bias, a norm parameter, a scalar,
a gradient, a slice. Pure Python: the ``ast`` gate and the libcst judge read the same
function, so that the gate drops exactly the targets the judge would never report.

A target is kept as a ``Path``: the chain of names and subscripts of
``self.blocks[0].fc.weight.data`` with ``.data``-like accessors removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from initlint.knowledge.naming import (
    BIAS, GRAD, NORM, SCALAR, SLICE, TENSOR_ATTRIBUTES, UNKNOWN, WEIGHT, is_norm_owner_name, name_role,
)

#: Subscript placeholders: an index that is not a literal integer, and a slice (``w[:, 3:]``).
ANY_INDEX = "?"
SLICE_PART = "<slice>"
#: Accessors that yield the same storage: ``w.data.zero_()`` zeroes ``w``.
SAME_STORAGE = frozenset({"data", "detach", "detach_"})


@dataclass(frozen=True)
class Path:
    """``self.blocks[0].fc.weight`` → root ``self``, parts ``("blocks", 0, "fc", "weight")``.
    Integer, ``ANY_INDEX`` and ``SLICE_PART`` parts are subscripts."""

    root: str
    parts: tuple

    @property
    def last(self) -> Union[str, int, None]:
        return self.parts[-1] if self.parts else None

    @property
    def attrs(self) -> tuple:
        return tuple(p for p in self.parts if isinstance(p, str) and p not in (ANY_INDEX, SLICE_PART))

    def owner(self) -> "Path":
        """The module that holds the parameter: ``self.fc`` for ``self.fc.weight``."""
        return Path(self.root, self.parts[:-1])

    def child(self, *parts) -> "Path":
        return Path(self.root, self.parts + tuple(parts))

    def owner_name(self) -> Optional[str]:
        """The last attribute naming the owner module (``fc`` in ``self.fc.weight``)."""
        for p in reversed(self.parts[:-1]):
            if isinstance(p, str) and p not in (ANY_INDEX, SLICE_PART):
                return p
        return self.root if len(self.parts) >= 1 else None

    def text(self) -> str:
        out = self.root
        for p in self.parts:
            if isinstance(p, int):
                out += f"[{p}]"
            elif p in (ANY_INDEX, SLICE_PART):
                out += "[...]"
            else:
                out += f".{p}"
        return out

    def short(self) -> str:
        """Without a leading ``self.``, as messages show it."""
        return self.text().removeprefix("self.")


def tensor_role(path: Path) -> str:
    """Role of a tensor target from its path alone (owner types are the judge's business)."""
    if "grad" in path.parts or path.root == "grad":
        return GRAD
    last = path.last
    if last is None:
        return name_role(path.root) if path.root not in ("self", "cls") else UNKNOWN
    if not isinstance(last, str) or last in (ANY_INDEX, SLICE_PART):
        # weight[padding_idx], weight[:, 3:]: part of a tensor. A subscript *before* the
        # parameter name (layers[0].weight) is a module index and is fine.
        return SLICE
    role = name_role(last)
    if role == WEIGHT and is_norm_owner_name(path.owner_name()) and (len(path.parts) >= 2 or path.root not in ("self", "cls")):
        return NORM
    return role


def may_be_weight(path: Path) -> bool:
    """False only for a target that is certainly never a reported weight: a bias, a norm
    scale, a scalar, a gradient, a slice of a tensor. ``self.lora_B[name]`` may be a whole
    ParameterDict entry (the judge decides from the container)."""
    role = tensor_role(path)
    if role == SLICE:
        return path.root == "self" and len(path.parts) == 2 and isinstance(path.parts[0], str) \
            and path.parts[0] not in TENSOR_ATTRIBUTES and (path.parts[1] == ANY_INDEX or isinstance(path.parts[1], int))
    return role not in (BIAS, SCALAR, GRAD, NORM)
