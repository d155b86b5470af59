"""What the source says literally: arguments, numbers, strings, shapes, names, paths of
targets. Shared by every producer and the judge, so that "the value of this argument" has
one reading."""

from __future__ import annotations

import re
from typing import Iterator, Optional, Union

import libcst as cst

from initlint.knowledge.base import ArgSpec
from initlint.lint.model.paths import ANY_INDEX, SAME_STORAGE, SLICE_PART, Path

_EMPTY_MODULE = cst.Module([])


def source_of(node: cst.CSTNode) -> str:
    return _EMPTY_MODULE.code_for_node(node)


def short(text: str, limit: int = 48) -> str:
    """``text`` on one line, cut to ``limit`` characters for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fmt(v: float) -> str:
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def get_arg(call: cst.Call, spec: Optional[ArgSpec]) -> Optional[cst.BaseExpression]:
    """The argument at ``spec`` (keyword first, then position), or None."""
    if spec is None:
        return None
    if spec.keyword:
        for a in call.args:
            if a.keyword is not None and a.keyword.value == spec.keyword:
                return a.value
    if spec.index is not None:
        pos = positional(call)
        if len(pos) > spec.index:
            return pos[spec.index].value
    return None


def bind_arguments(call: cst.Call, layout: tuple, keywords: tuple) -> dict:
    """A call's arguments by parameter name, from its positional ``layout`` and ``keywords``."""
    out: dict = {}
    for i, a in enumerate(positional(call)):
        if i < len(layout):
            out[layout[i]] = a.value
    for a in call.args:
        if a.keyword is not None and a.keyword.value in keywords:
            out[a.keyword.value] = a.value
    return out


def number(expr: Optional[cst.BaseExpression]) -> Optional[float]:
    """The value of a numeric literal (``0``, ``-0.``, ``1e-3``, ``float(0)``), else None."""
    if expr is None:
        return None
    if isinstance(expr, (cst.Integer, cst.Float)):
        try:
            return float(expr.evaluated_value)
        except (ValueError, OverflowError):
            return None
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        v = number(expr.expression)
        if v is None:
            return None
        return -v if isinstance(expr.operator, cst.Minus) else v
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("float", "int") \
            and len(expr.args) == 1:
        return number(expr.args[0].value)
    return None


def is_false(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "False"


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def string_value(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = expr.evaluated_value
        except Exception:  # noqa: BLE001 - odd literals are not names
            return None
        return value if isinstance(value, str) else None
    return None


def fill_value(expr: Optional[cst.BaseExpression], default: Optional[float] = None) -> tuple[Optional[bool], str]:
    """(is_zero, text) for a fill value; is_zero None when there is no value at all."""
    if expr is None:
        if default is None:
            return None, ""
        return default == 0, fmt(default)
    v = number(expr)
    if v is not None:
        return v == 0, fmt(v)
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        return expr.value == "False", expr.value
    return False, f"`{source_of(expr)}`"


_SHAPE_NAME = re.compile(r"shape|size|dims", re.I)


def _sized(dims) -> int:
    """The dimensions that can hold units: a literal 1 is a broadcast axis
    (``torch.ones(1, dim, 1, 1)`` is a per-channel vector, as ``torch.ones(dim)`` is)."""
    return sum(1 for d in dims if number(d) != 1)


def shape_ndim(call: cst.Call, from_args: bool) -> Optional[int]:
    """Number of dimensions a factory call creates that can hold units (``_sized``), when
    the source says it.

    ``torch.zeros(n)`` with one scalar-looking argument is 1-D; ``torch.zeros(shape)`` and
    ``torch.zeros(x.size())`` are unknown."""
    pos = [a for a in call.args if a.keyword is None and a.star != "**"]
    if any(a.star for a in pos) or not pos:
        return None
    first = pos[0].value
    if isinstance(first, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in first.elements):
            return None
        return _sized(e.value for e in first.elements)
    if not from_args:
        return None
    if len(pos) > 1:
        return _sized(a.value for a in pos)
    if isinstance(first, cst.BinaryOperation) and (number(first.left) is not None or number(first.right) is not None):
        return 1  # filter_size + 1: arithmetic with a number is a number (a shape would be a tuple)
    text = source_of(first)
    if _SHAPE_NAME.search(text) or isinstance(first, (cst.Call, cst.Subscript)) and "shape" in text:
        return None
    if isinstance(first, cst.Call) and not isinstance(first.func, cst.Name):
        return None
    return 1


def literal_ndim(expr: Optional[cst.BaseExpression]) -> Optional[int]:
    """The number of dimensions of a literal shape that can hold units (``_sized``):
    ``(a, b)`` is 2, ``n`` and ``(1, n)`` are 1."""
    if isinstance(expr, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return None
        return _sized(e.value for e in expr.elements)
    if isinstance(expr, cst.Integer):
        return 1
    return None


def path_of(expr: cst.BaseExpression) -> Optional[Path]:
    """The ``Path`` of an attribute/subscript chain; ``.data``/``.detach()`` are the same tensor."""
    parts: list = []
    node = expr
    while True:
        if isinstance(node, cst.Attribute):
            if node.attr.value not in SAME_STORAGE:
                parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                node.func.attr.value in SAME_STORAGE and not node.args:
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
        return ANY_INDEX  # ModuleDict["adapter"], layers[i]: still a module
    return SLICE_PART


def names_in(expr: cst.BaseExpression, skip: frozenset = frozenset()) -> list[str]:
    """Every identifier in an expression: names and attribute names, in source order."""
    out: list[str] = []
    for node in walk(expr):
        if isinstance(node, cst.Name):
            if node.value not in skip:
                out.append(node.value)
        elif isinstance(node, cst.Attribute):
            out.append(node.attr.value)
    return out


def string_literals(expr: cst.BaseExpression) -> list[str]:
    return [v for node in walk(expr) if (v := string_value(node)) is not None and isinstance(node, cst.SimpleString)]


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (itself included), in source order, without libcst's
    visitor machinery (which rebuilds the nodes it passes)."""
    from initlint.lint.model.collect import children

    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
