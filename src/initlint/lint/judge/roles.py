"""What an init's target is: a weight (the only thing ever reported), a bias, a norm's γ, a
scalar, a gradient, a slice. The path gives a first answer (``paths.tensor_role``, which the
``ast`` gate uses too); the class, the owner's constructor and the loop refine it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from initlint.knowledge import torch as T
from initlint.knowledge.naming import (
    BIAS, BUFFER, GRAD, NORM, SCALAR, SLICE, UNKNOWN, WEIGHT, is_norm_class_name, is_norm_owner_name, name_role, target_reason,
)
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.judge import context as C
from initlint.lint.model.literals import shape_ndim
from initlint.lint.model.paths import Path, tensor_role
from initlint.lint.model.scopes import Scope, dotted_name, last_name, lookup

if TYPE_CHECKING:
    from initlint.lint.judge.judge import Judge


def role(judge: "Judge", ev: InitEvent, ctx: C.Context) -> str:
    if ev.role is not None:
        # A torch Parameter named weight in a norm class is γ; a Keras/Flax kernel keyword
        # is a kernel whatever its class is called (AdaLayerNormZero's Dense).
        if ev.role == WEIGHT and ev.framework == "torch" and _class_is_norm(ctx):
            return NORM
        return ev.role
    target = ev.target
    if target is None:
        return WEIGHT if ev.on == "layer" else UNKNOWN
    if ev.on == "layer":
        return NORM if _owner_is_norm(judge, target, ctx, ev.site.scope) else WEIGHT
    found = tensor_role(target)
    if found == SLICE and _parameter_dict_entry(judge, target, ctx):
        # self.lora_B[adapter_name]: a whole parameter of a ParameterDict. Its shape is set
        # elsewhere, so only a weight-like or adapter-like name makes it a weight.
        name = target.parts[0]
        if name_role(name) == WEIGHT or target_reason([name] + class_names(ctx)):
            return WEIGHT
        return UNKNOWN
    if found in (BIAS, SCALAR, SLICE, GRAD, NORM):
        return found
    owner_cls = ctx.cls if target.root == "self" else judge.narrowed_class(ev)
    if target.parts and owner_cls is not None and target.parts[0] in owner_cls.buffers:
        return BUFFER
    if target.root == "self" and len(target.parts) == 1 and ctx.cls is not None:
        own = _own_parameter_role(judge, target.parts[0], ctx)
        if own is not None:
            return own
    if target.parts and target.last == "weight" and _owner_is_norm(judge, target.owner(), ctx, ev.site.scope):
        return NORM
    if not target.parts:
        if ev.api.startswith("."):
            # w.fill_(-1) on a local tensor is data, unless the name says weight
            return WEIGHT if found == WEIGHT else UNKNOWN
        bound = lookup(cst.Name(target.root), ev.site.scope)
        if bound is not None and isinstance(bound.value, cst.Call):
            quals = judge.resolver.qualnames(bound.value.func, bound.scope)
            if quals & T.SHAPE_FROM_ARGS or quals & set(T.TENSOR_FACTORIES):
                ndim = shape_ndim(bound.value, from_args=bool(quals & T.SHAPE_FROM_ARGS))
                if ndim is not None:
                    return WEIGHT if ndim >= 2 else SCALAR
    return found


def class_names(ctx: C.Context) -> list:
    """The enclosing class's name and its bases' (``VeraLayer(BaseTunerLayer)``)."""
    if ctx.cls is None:
        return []
    return [ctx.cls.name] + [last_name(b.value) for b in ctx.cls.node.bases]


def _parameter_dict_entry(judge: "Judge", target: Path, ctx: C.Context) -> bool:
    if target.root != "self" or len(target.parts) != 2 or ctx.cls is None:
        return False
    value = ctx.cls.attr(target.parts[0])
    if not isinstance(value, cst.Call):
        return False
    scope = ctx.cls.attrs[target.parts[0]][1] if target.parts[0] in ctx.cls.attrs else ctx.cls.scope
    return bool(judge.resolver.qualnames(value.func, scope) & T.PARAMETER_CONTAINERS)


def _own_parameter_role(judge: "Judge", name: str, ctx: C.Context) -> Optional[str]:
    """``self.weight`` of the class being defined: a norm class's γ, or a Parameter whose
    constructor shows its number of dimensions."""
    if name == "weight" and _class_is_norm(ctx):
        return NORM
    if name_role(name) in (BIAS, SCALAR):
        return name_role(name)
    if name not in ctx.cls.attrs:
        return None
    value, scope = ctx.cls.attrs[name]
    if isinstance(value, cst.Call) and value.args and judge.resolver.qualnames(value.func, scope) & T.PARAMETER_CLASSES:
        inner = value.args[0].value
        while isinstance(inner, cst.BinaryOperation):  # 1e-5 * torch.ones(dim)
            inner = inner.right if isinstance(inner.right, cst.Call) else inner.left
        if isinstance(inner, cst.Call):
            quals = judge.resolver.qualnames(inner.func, scope)
            ndim = shape_ndim(inner, from_args=bool(quals & T.SHAPE_FROM_ARGS))
            if ndim is not None:
                return WEIGHT if ndim >= 2 else SCALAR
    return None


def _class_is_norm(ctx: C.Context) -> bool:
    return ctx.cls is not None and is_norm_class_name(ctx.cls.name)


def _owner_is_norm(judge: "Judge", owner: Path, ctx: C.Context, scope: Scope) -> bool:
    if ctx.guard_kinds() & {C.NORM, C.CUSTOM_NORM} and ctx.every is None and not owner.parts:
        return True  # isinstance(m, nn.LayerNorm), "RMSNorm" in type(m).__name__: m is a norm
    loop = ctx.every_loop or next((lp for lp in ctx.loops if owner.root in lp.vars), None)
    if loop is not None and loop.elements and owner.root in loop.vars and not owner.parts:
        # for layer in [module.norm1, module.norm2]: the loop visits norms only
        names = [dotted_name(e) for e in loop.elements]
        if all(n and is_norm_owner_name(n.rsplit(".", 1)[-1]) for n in names):
            return True
    name = owner.attrs[-1] if owner.attrs else owner.root
    if owner.parts and is_norm_owner_name(name):
        return True
    layer = judge.reader.layer_at(owner, scope)
    ctor = layer.ctor if layer is not None else None
    if isinstance(ctor, cst.Call):
        quals = judge.resolver.qualnames(ctor.func, layer.scope)
        return judge.resolver.is_norm(quals) or "Norm" in last_name(ctor.func)
    return False
