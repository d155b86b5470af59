"""Turn an init event into at most one finding: the most specific code (INI004 > INI003 >
INI001/INI002), with the recognised intent (if any) attached as ``idiom``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from initlint.static import apis, context as C, dead, intent
from initlint.static.collect import ModuleFacts
from initlint.static.events import InitEvent, shape_ndim, source_of
from initlint.static.names import dotted_name, last_name
from initlint.static.roles import (
    ANY_INDEX, BIAS, NORM, path_of, SCALAR, SLICE, GRAD, UNKNOWN, WEIGHT, Path, is_norm_owner_name, name_role, tensor_role,
)


#: Class names of norm layers defined in the file (EvoNorm2dB0, FilterResponseNormAct2d, InplaceAbn).
_NORM_CLASS_NAME = re.compile(r"Norm|Abn|ABN|^BN|BatchNorm|^LN|GRN")


@dataclass(frozen=True)
class Verdict:
    node: cst.CSTNode
    code: str
    message: str
    idiom: Optional[str] = None


class Judge:
    def __init__(self, facts: ModuleFacts, resolve, events: list[InitEvent], intent_names: tuple = ()):
        self.facts = facts
        self.resolve = resolve
        self.events = events
        self.layers = dead.Layers(facts, resolve)
        self.intent_names = intent_names

    # -- entry point ---------------------------------------------------------------------
    def judge(self, ev: InitEvent) -> Optional[Verdict]:
        if ev.summarized or self.superseded(ev) or self._partly_overwritten(ev):
            return None
        self._current = ev
        ctx = C.context_for(ev, self.facts, self.resolve)
        role = self.role(ev, ctx)
        if ctx.every is not None:
            return self._every_layer(ev, ctx, role)
        if role != WEIGHT:
            return None
        return self._single_layer(ev, ctx, extra_names=())

    # -- roles ---------------------------------------------------------------------------
    def role(self, ev: InitEvent, ctx: C.Context) -> str:
        if ev.role is not None:
            # A torch Parameter named weight in a norm class is γ; a Keras/Flax kernel keyword
            # is a kernel whatever its class is called (AdaLayerNormZero's Dense).
            if ev.role == WEIGHT and ev.framework == "torch" and self._class_is_norm(ctx):
                return NORM
            return ev.role
        target = ev.target
        if target is None:
            return WEIGHT if ev.on == "layer" else UNKNOWN
        if ev.on == "layer":
            return NORM if self._owner_is_norm(target, ctx) else WEIGHT
        role = tensor_role(target)
        if role == SLICE and self._parameter_dict_entry(target, ctx):
            # self.lora_B[adapter_name]: a whole parameter of a ParameterDict. Its shape is set
            # elsewhere, so only a weight-like or adapter-like name makes it a weight.
            name = target.parts[0]
            if name_role(name) == WEIGHT or intent.target_reason([name] + self._class_names(ctx)):
                return WEIGHT
            return UNKNOWN
        if role in (BIAS, SCALAR, SLICE, GRAD, NORM):
            return role
        if target.root == "self" and len(target.parts) == 1 and ctx.cls is not None:
            own = self._own_parameter_role(target.parts[0], ctx)
            if own is not None:
                return own
        if target.parts and target.last in ("weight",) and self._owner_is_norm(target.owner(), ctx):
            return NORM
        if not target.parts:
            if ev.api.startswith("."):
                # w.fill_(-1) on a local tensor is data, unless the name says weight
                return WEIGHT if role == WEIGHT else UNKNOWN
            value = self._local_value(target.root, ctx)
            if isinstance(value, cst.Call):
                quals = self.resolve(value.func, ev.site.scope)
                if quals & apis.SHAPE_FROM_ARGS or quals & set(apis.TENSOR_FACTORIES):
                    ndim = shape_ndim(value, from_args=bool(quals & apis.SHAPE_FROM_ARGS))
                    if ndim is not None:
                        return WEIGHT if ndim >= 2 else SCALAR
        return role

    def _parameter_dict_entry(self, target: Path, ctx: C.Context) -> bool:
        if target.root != "self" or len(target.parts) != 2 or ctx.cls is None:
            return False
        value = ctx.cls.attrs.get(target.parts[0])
        return isinstance(value, cst.Call) and bool(
            self.resolve(value.func, dead.cls_scope(ctx.cls, self.facts)) & apis.PARAMETER_CONTAINERS)

    def superseded(self, ev: InitEvent) -> bool:
        """``self.A = nn.Parameter(torch.zeros(...))`` re-initialised by an nn.init call on the
        same target in the same class: the creation is a placeholder, the later init counts."""
        if not ev.api.startswith("nn.Parameter") or ev.target is None or not ev.target.parts:
            return False
        home = _home(ev)
        name = ev.target.parts[-1]
        for site in self.facts.calls:
            if site.call is ev.site.call:
                continue
            func = site.call.func
            if isinstance(func, cst.Attribute) and func.attr.value in _RANDOM_METHODS and \
                    not self.resolve(func, site.scope):
                other = path_of(func.value)  # module.x_proj_weight.data.normal_(...)
            elif any(q.startswith("torch.nn.init.") for q in self.resolve(func, site.scope)):
                other = path_of(site.call.args[0].value)
            else:
                continue
            if other == ev.target and _home_of(site.ancestors) is home:
                return True
            # transformers: placeholders made in __init__, initialised by the model's
            # _init_weights(module) callback as `init.normal_(module.<name>)`. The ast
            # reduction applies the same rule (locate.superseded_names).
            if other is not None and other.parts == (name,):
                return True
        return False

    def _partly_overwritten(self, ev: InitEvent) -> bool:
        """``w.zero_()`` then ``w[:k, :k].copy_(eye)`` in the same function: the zero is the
        background of a partial identity, not an all-zero weight."""
        if ev.target is None or ev.on != "tensor":
            return False
        fn = next((a for a in reversed(ev.site.ancestors) if isinstance(a, cst.FunctionDef)), None)
        if fn is None:
            return False
        prefix = ev.target.parts
        for site in self.facts.calls:
            func = site.call.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in ("copy_", "fill_", "normal_", "uniform_")):
                continue
            if not any(a is fn for a in site.ancestors):
                continue
            p = path_of(func.value)
            if p is not None and p.root == ev.target.root and len(p.parts) > len(prefix) \
                    and p.parts[:len(prefix)] == prefix and not isinstance(p.parts[len(prefix)], str) \
                    or (p is not None and p.root == ev.target.root and p.parts[:len(prefix)] == prefix
                        and len(p.parts) > len(prefix) and p.parts[len(prefix)] in ("<slice>", ANY_INDEX)):
                return True
        return False

    def _own_parameter_role(self, name: str, ctx: C.Context) -> Optional[str]:
        """``self.weight`` of the class being defined: a norm class's γ, or a Parameter whose
        constructor shows its number of dimensions."""
        if name == "weight" and self._class_is_norm(ctx):
            return NORM
        if name_role(name) in (BIAS, SCALAR):
            return name_role(name)
        value = ctx.cls.attrs.get(name)
        if isinstance(value, cst.Call) and value.args:
            scope = dead.cls_scope(ctx.cls, self.facts)
            if self.resolve(value.func, scope) & apis.PARAMETER_CLASSES:
                inner = value.args[0].value
                while isinstance(inner, cst.BinaryOperation):  # 1e-5 * torch.ones(dim)
                    inner = inner.right if isinstance(inner.right, cst.Call) else inner.left
                if isinstance(inner, cst.Call):
                    quals = self.resolve(inner.func, scope)
                    ndim = shape_ndim(inner, from_args=bool(quals & apis.SHAPE_FROM_ARGS))
                    if ndim is not None:
                        return WEIGHT if ndim >= 2 else SCALAR
        return None

    def _local_value(self, name: str, ctx: C.Context):
        if ctx.function is not None and name in ctx.function.values:
            return ctx.function.values[name]
        return self.facts.module_values.get(name)

    def _class_is_norm(self, ctx: C.Context) -> bool:
        return ctx.cls is not None and bool(_NORM_CLASS_NAME.search(ctx.cls.name))

    def _owner_is_norm(self, owner: Path, ctx: C.Context) -> bool:
        if C.NORM in ctx.guard_kinds() and ctx.every is None:
            return True
        loop = ctx.every_loop or next((l for l in ctx.loops if owner.root in l.vars), None)
        if loop is not None and loop.elements and owner.root in loop.vars and not owner.parts:
            # for layer in [module.norm1, module.norm2]: the loop visits norms only
            names = [dotted_name(e) for e in loop.elements]
            if all(n and is_norm_owner_name(n.rsplit(".", 1)[-1]) for n in names):
                return True
        name = owner.attrs[-1] if owner.attrs else owner.root
        if owner.parts and is_norm_owner_name(name):
            return True
        ctor, scope = self._owner_ctor(owner, ctx)
        if isinstance(ctor, cst.Call):
            quals = self.resolve(ctor.func, scope)
            short = last_name(ctor.func)
            return bool(quals & apis.NORM_CLASSES) or "Norm" in short
        return False

    def _owner_ctor(self, owner: Path, ctx: C.Context):
        """The constructor call that made the layer at ``owner``, when visible."""
        found = dead.container_of(owner, ctx, self.facts, self.layers)
        if found is not None:
            elements, index, _, scope = found
            return elements[index], scope
        if owner.root == "self" and len(owner.parts) == 1 and ctx.cls is not None:
            return ctx.cls.attrs.get(owner.parts[0]), dead.cls_scope(ctx.cls, self.facts)
        if not owner.parts:
            value = self._local_value(owner.root, ctx)
            return value, (ctx.function.scope if ctx.function else self.facts.module_scope)
        return None, None

    # -- every layer ---------------------------------------------------------------------
    def _every_layer(self, ev: InitEvent, ctx: C.Context, role: str) -> Optional[Verdict]:
        kinds = ctx.guard_kinds()
        if kinds & {C.BIAS, C.NONWEIGHTS, C.CUSTOM_NORM} or role in (BIAS, SCALAR, SLICE, GRAD):
            return None
        if role == UNKNOWN and not ctx.every_params:
            return None
        scope_idiom = self._scope_reason(ev, ctx)
        if C.NORM in kinds or role == NORM:
            if ev.zero and (ev.on == "layer" or ev.target.parts in ((), ("weight",))) and not self._single_norm_block(ctx):
                msg = (f"{ev.label()} (γ) is set to 0 on {ctx.every}, by {ev.api}: with every norm scale at zero "
                       f"each normalised branch outputs its shift only, and a chain of them feeding ReLUs is dead")
                return Verdict(ev.report_node, "INI003", msg, scope_idiom)
            return None
        specific = [g for g in ctx.guards if g.kind == C.SPECIFIC]
        if specific:
            names = tuple(n for g in specific for n in g.names)
            return self._single_layer(ev, ctx, extra_names=names)
        reason = self._dead_in_loop(ev, ctx)
        if reason is not None:
            return Verdict(ev.report_node, "INI004", reason)
        what = "zeros" if ev.zero else f"the constant {ev.value_text}"
        family = [n for g in ctx.guards if g.kind == C.FAMILY for n in g.names]
        layers = f" (every {', '.join(family)})" if family else ""
        if ev.zero:
            why = ("with every layer zero the output ignores the input, and each hidden layer's units start "
                   "interchangeable (dead behind a ReLU or with zero biases): the network cannot learn")
        else:
            why = ("with every layer constant each hidden layer's units start identical and only their biases "
                   "can tell them apart: the network learns as if it were far narrower, at a scale that ignores fan-in")
        msg = f"{ev.label()} is set to {what} by {ev.api} on {ctx.every}{layers}: {why}"
        return Verdict(ev.report_node, "INI003", msg, scope_idiom)

    def _single_norm_block(self, ctx: C.Context) -> bool:
        """A loop over ``self.modules()`` of a block that holds one norm: that norm is the
        block's last (zero-γ residual init, as in non-local blocks), not every norm."""
        loop = ctx.every_loop
        if loop is None or ctx.cls is None or not loop.source.startswith("self."):
            return False
        norms = 0
        for attr, value in ctx.cls.attrs.items():
            text = source_of(value)
            norms += text.count("Norm") + text.count("norm_layer(") or int(is_norm_owner_name(attr))
        return norms <= 1

    def _dead_in_loop(self, ev: InitEvent, ctx: C.Context) -> Optional[str]:
        loop = ctx.every_loop
        if loop is None or not loop.elements:
            return None
        scope = ev.site.scope
        bias = dead.ZERO_BIAS if ev.zeroes_bias or self._bias_zeroed_in(ev, ev.target) else None
        for i, el in enumerate(loop.elements):
            if not self.layers.is_weight_layer(el, scope):
                continue
            act, nxt = dead.next_activation(loop.elements, i, self.layers, scope)
            b = bias or dead.ctor_bias(el, set())
            if act is not None and act.kills_gradient_at_zero:
                where = f"`{loop.source}[{i}]` feeds `{source_of(loop.elements[i + 1])}`"
                return dead.dead_message(f"{ev.label()} of every layer of `{loop.source}`", act, where, b)
        return None

    def _bias_zeroed_in(self, ev: InitEvent, owner: Optional[Path]) -> bool:
        if owner is None:
            return False
        bias = owner.child("bias") if ev.on == "layer" or not owner.parts or owner.last != "weight" else owner.owner().child("bias")
        for other in self._neighbours(ev):
            if other.zero and other.target == bias and other.on == "tensor":
                return True
            if other.zero and other.zeroes_bias and other.target == (owner if ev.on == "layer" else owner.owner()):
                return True
        return False

    # -- a single layer ------------------------------------------------------------------
    def _single_layer(self, ev: InitEvent, ctx: C.Context, extra_names: tuple) -> Optional[Verdict]:
        dead_msg = ev.dead or self._dead_single(ev, ctx)
        if dead_msg is not None:
            return Verdict(ev.report_node, "INI004", dead_msg)
        # ev.idiom == "": the producer checked and found no intent (overrides generic signals)
        idiom = ev.idiom if ev.idiom is not None else (
            self._scope_reason(ev, ctx) or self._target_reason(ev, ctx, extra_names))
        idiom = idiom or None
        if idiom is None and not ev.zero and "init" in ev.value_text:
            idiom = f"the value {ev.value_text} is a configured init value"
        if ev.zero:
            msg = (f"{ev.label()} is initialised to zeros by {ev.api}: every unit of this layer starts identical "
                   f"and only random neighbours can tell them apart; if the zero is deliberate, name it "
                   f"(a zero_init_* helper or guard, a head/adapter name) or add `# noqa: INI001`")
            code = "INI001"
        else:
            msg = (f"{ev.label()} is set to the constant {ev.value_text} by {ev.api}: every unit of this layer "
                   f"starts identical and the scale ignores the layer's fan-in; use a random init")
            code = "INI002"
        return Verdict(ev.report_node, code, msg, idiom)

    def _dead_single(self, ev: InitEvent, ctx: C.Context) -> Optional[str]:
        if not ev.zero or ev.target is None:
            return None
        owner = ev.target if ev.on == "layer" else (ev.target.owner() if ev.target.last == "weight" else None)
        if owner is None:
            return None
        bias_zero = ev.zeroes_bias or self._bias_zeroed_in(ev, ev.target)
        found = dead.container_of(owner, ctx, self.facts, self.layers)
        if found is not None:
            elements, index, text, scope = found
            act, nxt = dead.next_activation(elements, index, self.layers, scope)
            bias = dead.ZERO_BIAS if bias_zero else dead.ctor_bias(elements[index], set())
            if nxt is not None and bias != dead.RANDOM_BIAS and (act is None or act.phi0 == 0):
                other = self._zeroed_element(owner, nxt, ctx)
                if other is not None:
                    return dead.chain_message(ev.label(), f"`{text}[{nxt}]`", bias)
                prev = self._previous_zeroed(owner, elements, index, ctx, scope)
                if prev:
                    return dead.chain_message(ev.label(), prev, bias)
            elif nxt is None or act is None or act.phi0 != 0:
                prev = self._previous_zeroed(owner, elements, index, ctx, scope)
                if prev:
                    return dead.chain_message(ev.label(), prev, dead.ZERO_BIAS)
            if act is not None and act.kills_gradient_at_zero:
                return dead.dead_message(ev.label(), act, f"`{text}[{index + 1}]`", bias)
            return None
        if owner.root == "self" and len(owner.parts) == 1 and ctx.cls is not None:
            attr = owner.parts[0]
            chained = self._forward_chain(ev, ctx, attr, bias_zero)
            if chained:
                return chained
            acts = dead.forward_consumers(ctx.cls, attr, self.facts, self.layers)
            killing = [a for a in acts if a.kills_gradient_at_zero]
            if killing:
                ctor = ctx.cls.attrs.get(attr)
                bias = dead.ZERO_BIAS if bias_zero else dead.ctor_bias(ctor, set())
                return dead.dead_message(ev.label(), killing[0], "in forward", bias)
        return None

    def _neighbours(self, ev: InitEvent) -> list:
        """The events of the same class (or, outside classes, the same function): paths such
        as ``self.mlp[0]`` mean the same layer only there."""
        home = _home(ev)
        return [o for o in self.events if _home(o) is home]

    def _forward_chain(self, ev: InitEvent, ctx: C.Context, attr: str, bias_zero: bool) -> Optional[str]:
        """``self.b(act(self.a(x)))`` with both layers zeroed, a zero/no bias on ``a`` and
        φ(0) = 0 between them."""
        for a, act, b in dead.forward_links(ctx.cls, self.facts, self.layers):
            if attr not in (a, b) or (act is not None and act.phi0 != 0):
                continue
            first = a
            peer = b if attr == a else a
            if not self._zeroed_attr(peer):
                continue
            first_event = ev if attr == a else self._zeroed_attr(a)
            bias = self._attr_bias(first_event, first, ctx)
            if bias == dead.RANDOM_BIAS:
                continue
            between = f" through {dead.describe(act)}" if act is not None else ""
            return dead.chain_message(ev.label(), f"`{peer}`{between}", bias)
        return None

    def _zeroed_attr(self, attr: str) -> Optional[InitEvent]:
        return self._zeroed_layer(Path("self", (attr,)))

    def _zeroed_layer(self, layer: Path) -> Optional[InitEvent]:
        """The event of this class that zeroes ``layer``'s weight (or the layer), if any."""
        for other in self._neighbours(self._current):
            if other.zero and other.target is not None and (
                    (other.on == "layer" and other.target == layer) or other.target == layer.child("weight")):
                return other
        return None

    def _attr_bias(self, ev: InitEvent, attr: str, ctx: C.Context) -> str:
        if ev.zeroes_bias or self._bias_zeroed_in(ev, ev.target):
            return dead.ZERO_BIAS
        return dead.ctor_bias(ctx.cls.attrs.get(attr), set())

    def _zeroed_element(self, owner: Path, index: int, ctx: C.Context) -> Optional[InitEvent]:
        return self._zeroed_layer(Path(owner.root, owner.parts[:-1] + (index,)))

    def _previous_zeroed(self, owner: Path, elements, index: int, ctx: C.Context, scope) -> Optional[str]:
        """The zeroed layer before this one, when the pair is a dead chain."""
        for j in range(index - 1, -1, -1):
            if not self.layers.is_weight_layer(elements[j], scope):
                continue
            act, nxt = dead.next_activation(elements, j, self.layers, scope)
            if nxt != index:
                return None
            other = self._zeroed_element(owner, j, ctx)
            if other is None:
                return None
            prev_path = Path(owner.root, owner.parts[:-1] + (j,))
            prev_bias = dead.ZERO_BIAS if (other.zeroes_bias or self._bias_zeroed_in(other, other.target)) \
                else dead.ctor_bias(elements[j], set())
            if prev_bias != dead.RANDOM_BIAS and (act is None or act.phi0 == 0):
                return f"`{prev_path.text().removeprefix('self.')}` (zeroed before it)"
            return None
        return None

    # -- intent --------------------------------------------------------------------------
    def _scope_reason(self, ev: InitEvent, ctx: C.Context) -> Optional[str]:
        extra = self.intent_names
        if ev.helper is not None:
            r = intent.scope_reason("helper", ev.helper.name, extra) or intent.target_reason([ev.helper.name], extra)
            if r:
                return r
        if ctx.function is not None:
            r = intent.scope_reason("function", ctx.function.name, extra)
            if r:
                return r
        for anc in reversed(ev.site.ancestors):
            if isinstance(anc, cst.FunctionDef) and anc is not (ctx.function.node if ctx.function else None):
                r = intent.scope_reason("function", anc.name.value, extra)
                if r:
                    return r
        if ctx.cls is not None:
            r = intent.scope_reason("class", ctx.cls.name, extra)
            if r:
                return r
        for g in ctx.zero_flags():
            return f"guarded by `{g.text}`"
        return None

    def _class_names(self, ctx: C.Context) -> list:
        """The enclosing class's name and its bases' (``VeraLayer(BaseTunerLayer)``)."""
        if ctx.cls is None:
            return []
        return [ctx.cls.name] + [last_name(b.value) for b in ctx.cls.node.bases]

    def _owner_of(self, ev: InitEvent) -> Optional[Path]:
        t = ev.target
        if t is None:
            return None
        return t if ev.on == "layer" else (t.owner() if t.last == "weight" else None)

    def _is_last_of_branch(self, ev: InitEvent, ctx: C.Context) -> bool:
        """``seq[-1]``, or ``seq[i]`` where i is the last element of a Sequential literal."""
        owner = self._owner_of(ev)
        if owner is None or not owner.parts or not isinstance(owner.parts[-1], int):
            return False
        if owner.parts[-1] == -1:
            return True
        found = dead.container_of(owner, ctx, self.facts, self.layers)
        return found is not None and found[1] == len(found[0]) - 1

    def _classifier_ctor(self, ev: InitEvent, ctx: C.Context) -> Optional[str]:
        """``self.fc = nn.Linear(dim, num_classes)``: a layer sized by the number of classes."""
        owner = self._owner_of(ev)
        if owner is None:
            return None
        ctor, _ = self._owner_ctor(owner, ctx)
        if isinstance(ctor, cst.Call):
            m = _CLASS_COUNT_ARG.search(source_of(ctor))
            if m:
                return f"`{owner.text().removeprefix('self.')}` outputs `{m.group(1)}`: a classifier head"
        return None

    def _target_reason(self, ev: InitEvent, ctx: C.Context, extra_names: tuple) -> Optional[str]:
        names: list[str] = list(extra_names)
        target = ev.target
        if target is not None:
            attrs = [a for a in target.attrs if a != "weight"] if ev.on == "tensor" else list(target.attrs)
            names += list(reversed(attrs))
            if target.root not in ("self", "cls", "m", "module", "layer"):
                names.append(target.root)
            if self._is_last_of_branch(ev, ctx):
                return f"`{target.text().removeprefix('self.')}` is the last layer of a branch"
            head = self._classifier_ctor(ev, ctx)
            if head:
                return head
            if target.root == "self":
                names += self._class_names(ctx)
        assigned = _assigned_name(ev)
        if assigned:
            names.append(assigned)
        return intent.target_reason(names, self.intent_names)


#: Tensor methods that overwrite a placeholder with real values (not torch.nn.init functions).
_RANDOM_METHODS = frozenset({"normal_", "uniform_", "copy_", "random_", "log_normal_", "exponential_"})
_CLASS_COUNT_ARG = re.compile(r"\b(num_classes|n_classes|nb_classes|num_labels|n_labels|num_outputs|classes|vocab_size)\b")


def _home(ev: InitEvent):
    return _home_of(ev.site.ancestors)


def _home_of(ancestors: tuple):
    """The nearest enclosing class, else the outermost function, else the module (None)."""
    outer = None
    for anc in reversed(ancestors):
        if isinstance(anc, cst.ClassDef):
            return anc
        if isinstance(anc, cst.FunctionDef):
            outer = anc
    return outer


def _assigned_name(ev: InitEvent) -> Optional[str]:
    """``self.conv_out = zero_module(nn.Conv2d(...))``: the name the result is stored under."""
    for anc in reversed(ev.site.ancestors):
        if isinstance(anc, cst.Assign):
            t = anc.targets[0].target
            if isinstance(t, cst.Attribute):
                return t.attr.value
            if isinstance(t, cst.Name):
                return t.value
            return None
        if isinstance(anc, (cst.SimpleStatementLine, cst.FunctionDef)):
            return None
    return None
