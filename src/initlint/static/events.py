"""An init event: "this code sets that target to this constant". Framework modules produce
events; ``judge`` turns them into findings. Shared helpers read literal values and shapes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from initlint.static.apis import ArgSpec
from initlint.static.collect import CallSite
from initlint.static.roles import Path

_EMPTY_MODULE = cst.Module([])


def source_of(node: cst.CSTNode) -> str:
    return _EMPTY_MODULE.code_for_node(node)


@dataclass
class InitEvent:
    site: CallSite  # where to report, with its ancestors and scope
    report_node: cst.CSTNode
    api: str  # how the user spelled the init, for messages
    zero: bool  # True: zeros; False: a non-zero (or unknown) constant
    value_text: str  # "0", "1.0", "`init_value`"
    target: Optional[Path]  # the tensor, or the layer when on == "layer"
    on: str = "tensor"  # "tensor" | "layer" (the layer's weight)
    zeroes_bias: bool = False
    role: Optional[str] = None  # set by producers that know it (keras kernels, nn.Parameter ndim)
    target_label: Optional[str] = None  # how to name the target in messages
    dead: Optional[str] = None  # an INI004 reason a framework module found by itself
    idiom: Optional[str] = None  # an intent reason a framework module found by itself
    framework: str = "torch"
    summarized: bool = False  # a helper's body: judged at the helper's call sites instead
    helper: object = None  # the FunctionInfo of the file's own helper this event came through

    def label(self) -> str:
        if self.target_label:
            return self.target_label
        if self.target is None:
            return "this tensor"
        text = self.target.text()
        if text.startswith("self."):
            text = text[5:]
        return f"{text}.weight" if self.on == "layer" else text


def get_arg(call: cst.Call, spec: Optional[ArgSpec]) -> Optional[cst.BaseExpression]:
    """The argument at ``spec`` (keyword first, then position), or None."""
    if spec is None:
        return None
    if spec.keyword:
        for a in call.args:
            if a.keyword is not None and a.keyword.value == spec.keyword:
                return a.value
    if spec.index is not None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if len(positional) > spec.index:
            return positional[spec.index].value
    return None


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


def value_of(expr: Optional[cst.BaseExpression], default: Optional[float] = None) -> tuple[Optional[bool], str]:
    """(is_zero, text) for a fill value; is_zero None when there is no value at all."""
    if expr is None:
        if default is None:
            return None, ""
        return default == 0, _fmt(default)
    v = number(expr)
    if v is not None:
        return v == 0, _fmt(v)
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        return expr.value == "False", expr.value
    return False, f"`{source_of(expr)}`"


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


_SHAPE_NAME = re.compile(r"shape|size|dims", re.I)


def shape_ndim(call: cst.Call, from_args: bool) -> Optional[int]:
    """Number of dimensions a factory call creates, when the source says it.

    ``torch.zeros(n)`` with one scalar-looking argument is 1-D; ``torch.zeros(shape)`` and
    ``torch.zeros(x.size())`` are unknown."""
    positional = [a for a in call.args if a.keyword is None and a.star != "**"]
    if any(a.star for a in positional):
        return None
    if not positional:
        return None
    first = positional[0].value
    if isinstance(first, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in first.elements):
            return None
        return len(first.elements) if from_args or len(positional) == 1 else len(first.elements)
    if not from_args:
        return None
    if len(positional) > 1:
        return len(positional)
    text = source_of(first)
    if _SHAPE_NAME.search(text) or isinstance(first, (cst.Call, cst.Subscript)) and "shape" in text:
        return None
    if isinstance(first, (cst.Call,)) and not isinstance(first.func, cst.Name):
        return None
    return 1
