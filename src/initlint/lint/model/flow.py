"""Where a layer's output goes: the one reader of a module's wiring, for every framework.

Given a layer (a :class:`~initlint.lint.frameworks.base.LayerRef`), find where the code applies
it (an element of a ``Sequential``, ``self.fc(x)`` in the forward methods, ``head(x)`` for a
local ``head = Dense(...)``, ``Dense(8)(x)`` inline) and follow each output until something
decides what it is: the activations it passes through, then the next weight layer, a return,
a split into named chunks, an addition (a residual branch closes), a product, ``1 + y``
(a modulation that starts as the identity). Facts only: the judge draws the conclusions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

import libcst as cst

from initlint import knowledge
from initlint.knowledge import torch as torch_knowledge
from initlint.knowledge.activations import ACTIVATIONS, SQUARING_METHODS, Activation
from initlint.lint.frameworks.base import LayerRef
from initlint.lint.model.collect import CallSite, ClassInfo, ModuleFacts, children
from initlint.knowledge.naming import BIAS, name_role
from initlint.lint.model.literals import (
    get_arg, names_in, number, path_of, positional, short, source_of, string_value,
)
from initlint.lint.model.paths import Path
from initlint.lint.model.resolve import Resolver
from initlint.lint.model.scopes import Scope, last_name, lookup

_MAX_STEPS = 12  # operations followed from one application
_MAX_DEPTH = 6  # name -> name -> ... when resolving what a callee is

#: Tensor methods that keep a tensor's values where they are (reshapes, casts, copies).
VIEW_METHODS = frozenset({
    "view", "reshape", "flatten", "transpose", "permute", "contiguous", "unsqueeze", "squeeze", "float", "half",
    "to", "type_as", "clone", "expand", "expand_as", "repeat", "flip", "mean", "sum", "narrow", "movedim",
    "swapaxes", "view_as", "reshape_as", "bfloat16", "double", "detach",
})
#: Tensor methods that split a tensor into chunks (``shift, scale = y.chunk(2, dim=-1)``).
SPLIT_METHODS = frozenset({"chunk", "split", "unbind", "tensor_split"})
#: Tensor methods that are activations (``y.relu()``, ``y.sigmoid()``).
ACTIVATION_METHODS = {"relu": "relu", "relu_": "relu", "sigmoid": "sigmoid", "sigmoid_": "sigmoid",
                      "tanh": "tanh", "tanh_": "tanh", "softmax": "softmax", "clamp_min": "relu",
                      "exp": "exponential", "exp_": "exponential"}


@dataclass
class Use:
    """What consumed a layer's output once the activations were passed: ``kind`` is
    ``"layer"``, ``"return"``, ``"split"``, ``"add"``, ``"sub"``, ``"mul"``, ``"one_plus"``,
    ``"end"`` (the last element of a container applied nowhere visible) or ``"other"``."""

    kind: str
    partner: Optional[cst.BaseExpression] = None  # the other operand of add/sub/mul
    names: tuple = ()  # the chunk names of a split
    text: str = ""  # what it is, for messages
    chunks: list = field(default_factory=list)  # where each chunk of a split goes (Flows)
    scope: Optional[Scope] = None  # where the use is, to read the partner's names
    #: what an add/sub/mul's result meets next (``x + gate * y``: the ``+``), if anything
    then: Optional[cst.CSTNode] = None

    def partner_is_data(self) -> bool:
        """The other operand carries the forward's data (a parameter or local of the function),
        not only constants and ``self`` attributes (a scale such as ``alpha / rank``)."""
        if self.partner is None or self.scope is None:
            return False
        for name in names_in(self.partner, skip=frozenset({"self", "cls"})):
            if name in self.scope.params or name in self.scope.values:
                return True
        return False


@dataclass
class Flow:
    """One path of a layer's output: the activations it meets in order, then a use."""

    acts: list = field(default_factory=list)
    use: Use = field(default_factory=lambda: Use("other"))
    next_layer: Optional[LayerRef] = None
    returned_by: Optional[str] = None  # the function whose value it returns
    last_in: Optional[str] = None  # the container it is the last layer of
    through: list = field(default_factory=list)  # layers it passed on the way (containers)
    bias_partner: Optional[cst.BaseExpression] = None  # ``x @ W + b``: the bias added on the way
    #: ``y * self.scale``, ``y * 0.5``: factors the output was scaled by on the way (not data)
    scales: list = field(default_factory=list)
    returned_by_builder: bool = False  # returned by a module-level function: a network it builds


class FlowReader:
    """Reads the wiring of one module (one file), with caches per class and function."""

    def __init__(self, facts: ModuleFacts, resolver: Resolver):
        self.facts = facts
        self.resolver = resolver
        self._wiring: dict[int, frozenset] = {}
        self._uses: dict[int, dict] = {}
        self._flows: dict[tuple, list] = {}
        self._calls_by_func: Optional[dict] = None
        self._elements: dict[int, dict] = {}  # id(scope) -> name -> where it stands in a container literal
        self._positions: dict[int, tuple] = {}  # id(container call) -> (call, elements, id(element) -> index)
        self.extra_layers: set[int] = set()  # ctor nodes of custom layers that producers found

    # -- what an expression is ----------------------------------------------------------------
    def quals(self, expr: cst.BaseExpression, scope: Scope) -> set[str]:
        return self.resolver.qualnames(expr, scope)

    def activation(self, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Optional[Activation]:
        """The activation an expression stands for: ``"relu"``, ``F.relu``, ``nn.ReLU()``,
        ``layers.Activation("relu")``, ``self.act`` bound to one of these."""
        if expr is None or depth > _MAX_DEPTH:
            return None
        text = string_value(expr)
        if text is not None:
            for fw in knowledge.FRAMEWORKS:
                key = fw.activation_strings.get(text)
                if key:
                    return ACTIVATIONS[key]
            return None
        call = expr if isinstance(expr, cst.Call) else None
        func = call.func if call is not None else expr
        if last_name(func) in torch_knowledge.SQUARED_RELU_NAMES:
            return ACTIVATIONS["squared relu"]
        quals = self.quals(func, scope) if isinstance(func, (cst.Name, cst.Attribute)) else set()
        for q in sorted(quals):
            if q == "keras.layers.Activation":
                return self.activation(call.args[0].value, scope, depth + 1) if call is not None and call.args else None
            for fw in knowledge.FRAMEWORKS:
                conditional = fw.conditional_activations.get(q)
                if conditional is not None:
                    return _conditional(conditional, call)
                key = fw.activation_names.get(q)
                if key:
                    return ACTIVATIONS[key]
        if quals or call is not None:
            return None
        bound = lookup(expr, scope) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        if bound is not None:
            return self.activation(bound.value, bound.scope, depth + 1)
        return None

    def layer_of(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Optional[LayerRef]:
        """The weight layer an applied callee stands for: ``self.fc2`` bound to a layer, a local
        ``head``, a constructor applied inline (``Dense(8)(x)``)."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, cst.Call):
            if self.is_layer_ctor(expr, scope):
                return self.ref_for_ctor(expr, scope, "inline")
            return None
        bound = lookup(expr, scope)
        if bound is None or not isinstance(bound.value, cst.Call):
            return None
        if not self.is_layer_ctor(bound.value, bound.scope):
            return None
        if isinstance(expr, cst.Attribute):
            cls = scope.enclosing_class()
            return self.ref_for_ctor(bound.value, bound.scope, "attr", name=expr.attr.value, cls=cls)
        return self.ref_for_ctor(bound.value, bound.scope, "local", name=expr.value)

    def is_layer_ctor(self, call: cst.BaseExpression, scope: Scope) -> bool:
        if not isinstance(call, cst.Call):
            return False
        return id(call) in self.extra_layers or self.resolver.layer(self.quals(call.func, scope)) is not None

    def ref_for_ctor(self, ctor: cst.Call, scope: Scope, kind: str, **fields) -> LayerRef:
        found = self.resolver.layer(self.quals(ctor.func, scope))
        spec, fw = (found[1], found[2]) if found else (None, None)
        return LayerRef(kind, scope, ctor=ctor, spec=spec, framework=fw, **fields)

    def is_passthrough(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        target = expr.func if isinstance(expr, cst.Call) else expr
        if isinstance(target, (cst.Name, cst.Attribute)) and self.resolver.is_passthrough(self.quals(target, scope)):
            return True
        if isinstance(expr, cst.Call):
            return False
        bound = lookup(expr, scope) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        return bound is not None and isinstance(bound.value, cst.Call) and \
            self.resolver.is_passthrough(self.quals(bound.value.func, bound.scope))

    # -- where a layer is ------------------------------------------------------------------------
    def _container_around(self, ctor: cst.Call, anc: tuple) -> Optional[tuple]:
        """(container call, elements, index) when ``ctor`` is an element of a container
        literal; each container's elements are indexed once (a Sequential of n layers is
        asked n times)."""
        container = _container_call(ctor, anc)
        if container is None:
            return None
        known = self._positions.get(id(container))
        if known is None:
            elements = container_elements(container)
            known = self._positions[id(container)] = (container, elements, {id(e): i for i, e in enumerate(elements)})
        index = known[2].get(id(ctor))
        return (container, known[1], index) if index is not None else None

    def locate(self, site: CallSite, ctor: cst.Call) -> LayerRef:
        """The layer a constructor call makes, from where it stands: an element of a
        container literal, ``self.x = ...``, ``x = ...``, or applied inline."""
        anc = site.ancestors
        scope = site.scope
        container = self._container_around(ctor, anc)
        if container is not None:
            call, elements, index = container
            if self.resolver.is_container(self.quals(call.func, scope)):
                return self.ref_for_ctor(ctor, scope, "element", container=call, elements=elements, index=index,
                                         container_text=self._container_text(call, anc, scope), site=site)
        parent = anc[-1] if anc else None
        ref = self.ref_for_ctor(ctor, scope, "functional", site=site)
        if ref.spec is not None and ref.spec.functional:  # slim.fully_connected(x, 10): the call is the output
            return ref
        if isinstance(parent, cst.Call) and parent.func is ctor:
            return self.ref_for_ctor(ctor, scope, "inline", site=site)
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is ctor:
            target = parent.targets[0].target if isinstance(parent, cst.Assign) and len(parent.targets) == 1 \
                else getattr(parent, "target", None)
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
                return self.ref_for_ctor(ctor, scope, "attr", name=target.attr.value, cls=scope.enclosing_class(),
                                         site=site)
            if isinstance(target, cst.Name):
                return self.ref_for_ctor(ctor, scope, "local", name=target.value, site=site)
        return self.ref_for_ctor(ctor, scope, "other", site=site)

    def _container_text(self, call: cst.Call, anc: tuple, scope: Scope) -> str:
        """How messages name a container: the name it is stored under, else its class."""
        for node in reversed(anc):
            if isinstance(node, (cst.Assign, cst.AnnAssign)):
                target = node.targets[0].target if isinstance(node, cst.Assign) else node.target
                if isinstance(node, cst.Assign) and node.value is not call:
                    break
                name = source_of(target)
                return name.removeprefix("self.")
            if isinstance(node, (cst.SimpleStatementLine, cst.FunctionDef)):
                break
        return short(source_of(call.func), 30)

    def container_holding(self, name: str, scope: Scope) -> Optional[LayerRef]:
        """``linear = nn.Linear(...)`` ... ``self.seq = nn.Sequential(norm, linear, nn.ReLU())``:
        the element a local layer becomes in a container literal of the same function or class."""
        found = self._container_elements(scope).get(name)
        if found is None:
            return None
        text, value, where, i, elements = found
        bound = lookup(elements[i], where)
        ctor = bound.value if bound is not None else None
        layer = self.resolver.layer(self.quals(ctor.func, where)) if isinstance(ctor, cst.Call) else None
        return LayerRef("element", where, ctor=ctor, spec=layer[1] if layer else None,
                        framework=layer[2] if layer else None, container=value,
                        elements=elements, index=i, container_text=text.removeprefix("self."))

    def _container_elements(self, scope: Scope) -> dict:
        """Name -> (container text, container call, its scope, index, elements) for every plain
        name listed in a container literal bound in ``scope`` or its class (the first one
        wins), built once per scope: asked per layer, a scan would be quadratic."""
        index = self._elements.get(id(scope))
        if index is not None:
            return index
        candidates: list = [(n, v, scope) for n, v in scope.values.items()]
        cls = scope.enclosing_class()
        if cls is not None:
            candidates += [(f"self.{a}", v, s) for a, (v, s) in cls.attrs.items()]
        index = {}
        for text, value, where in candidates:
            if isinstance(value, cst.Call) and self.resolver.is_container(self.quals(value.func, where)):
                elements = container_elements(value)
                for i, el in enumerate(elements):
                    if isinstance(el, cst.Name):
                        index.setdefault(el.value, (text, value, where, i, elements))
        self._elements[id(scope)] = index
        return index

    def layer_at(self, owner: Path, scope: Scope, cls: Optional[ClassInfo] = None,
                 _depth: int = 0) -> Optional[LayerRef]:
        """The layer a path names, seen from ``scope``: ``self.fc``, ``self.mlp[2]``, a local
        ``fc`` or ``seq[0]``, ``model.hidden`` for a ``model = MLP()`` of this file,
        ``self.block.attn.proj`` through attributes holding instances of this file's classes,
        a local alias ``proj = self.to_out[-1]``. ``cls``: the class ``owner.root`` is known to
        be an instance of (an ``isinstance`` guard around the init)."""
        if cls is None:
            cls = scope.enclosing_class() if owner.root == "self" else self.instance_class(owner.root, scope)
        if cls is not None and owner.parts:
            parts = owner.parts
            while len(parts) > 1 and isinstance(parts[1], str):
                if not isinstance(parts[0], str) or parts[0] not in cls.attrs:
                    return None
                value, where = cls.attrs[parts[0]]
                cls = self.file_class(value, where)
                if cls is None:
                    return None
                parts = parts[1:]
            if not isinstance(parts[0], str) or parts[0] not in cls.attrs:
                return None
            value, where = cls.attrs[parts[0]]
            if len(parts) == 1:
                return self._bound_ref(value, where, "attr", parts[0], cls)
            if len(parts) == 2 and isinstance(parts[1], int):
                return self._element(value, where, parts[1], parts[0], cls)
            return None
        if owner.root in ("self", "cls") or any(not isinstance(p, int) for p in owner.parts) or len(owner.parts) > 1:
            return None
        bound = lookup(cst.Name(owner.root), scope)
        if bound is None:
            return self.container_holding(owner.root, scope) if not owner.parts else None
        alias = path_of(bound.value) if isinstance(bound.value, (cst.Attribute, cst.Subscript)) else None
        if alias is not None and _depth < 4:  # proj = self.to_out[-1]: the layer the alias names
            return self.layer_at(Path(alias.root, alias.parts + owner.parts), bound.scope, _depth=_depth + 1)
        if owner.parts:
            return self._element(bound.value, bound.scope, owner.parts[0], owner.root, None)
        ref = self._bound_ref(bound.value, bound.scope, "local", owner.root, None)
        if ref is not None and not self.applications(ref):
            held = self.container_holding(owner.root, scope)
            if held is not None:
                return held
        return ref

    def instance_class(self, name: str, scope: Scope) -> Optional[ClassInfo]:
        """The class of this file that a name holds an instance of (``model = MLP().to(device)``)."""
        bound = lookup(cst.Name(name), scope)
        return self.file_class(bound.value, bound.scope) if bound is not None else None

    def file_class(self, value: Optional[cst.BaseExpression], scope: Scope) -> Optional[ClassInfo]:
        """The top-level class of this file that ``value`` constructs (``MLP(...)``)."""
        value = same_module(value) if value is not None else None
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and \
                not scope.resolve_head(value.func.value):
            return self.class_named(value.func.value)
        return None

    def class_named(self, name: str) -> Optional[ClassInfo]:
        """The top-level class of this file called ``name``."""
        for cls in self.facts.classes.values():
            if cls.name == name and cls.scope is not None and cls.scope.parent is self.facts.module_scope:
                return cls
        return None

    def _bound_ref(self, value: cst.BaseExpression, where: Scope, kind: str, name: str,
                   cls: Optional[ClassInfo]) -> Optional[LayerRef]:
        value = same_module(value)
        if not isinstance(value, cst.Call):
            return None
        return self.ref_for_ctor(value, where, kind, name=name, cls=cls)

    def _element(self, value: cst.BaseExpression, where: Scope, index: int, name: str,
                 cls: Optional[ClassInfo]) -> Optional[LayerRef]:
        value = same_module(value)
        if not isinstance(value, cst.Call) or not self.resolver.is_container(self.quals(value.func, where)):
            return None
        elements = container_elements(value)
        if index < 0:
            index += len(elements)
        if not 0 <= index < len(elements):
            return None
        el = elements[index]
        found = self.resolver.layer(self.quals(el.func, where)) if isinstance(el, cst.Call) else None
        return LayerRef("element", where, ctor=el, spec=found[1] if found else None,
                        framework=found[2] if found else None, container=value, elements=elements, index=index,
                        container_text=name, cls=cls)

    # -- wiring ----------------------------------------------------------------------------------
    def wiring(self, cls: ClassInfo) -> frozenset:
        """The methods of ``cls`` that say how its layers are wired: the forward methods of
        every framework and what they call on ``self`` (the reducer keeps the same ones)."""
        cached = self._wiring.get(id(cls))
        if cached is not None:
            return cached
        done: set[str] = set()
        todo = [m for m in cls.methods if m in knowledge.forward_methods()]
        while todo:
            name = todo.pop()
            if name in done:
                continue
            done.add(name)
            for node in _walk(cls.methods[name]):
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                        isinstance(node.func.value, cst.Name) and node.func.value.value == "self" and \
                        node.func.attr.value in cls.methods and node.func.attr.value not in done:
                    todo.append(node.func.attr.value)
        self._wiring[id(cls)] = result = frozenset(done)
        return result

    def applications(self, layer: LayerRef) -> list[tuple]:
        """``(node, ancestors, scope)`` for every place the layer is applied."""
        out: list = []
        if layer.kind == "inline" and layer.site is not None:
            anc = layer.site.ancestors
            out.append((anc[-1], anc[:-1], layer.site.scope))
        elif layer.kind == "functional" and layer.site is not None:
            out.append((layer.ctor, layer.site.ancestors, layer.site.scope))
        elif layer.kind == "element" and layer.container_text:
            # self.block[1](x): an element of a container applied by itself
            methods = {id(layer.cls.methods[m]) for m in self.wiring(layer.cls)} if layer.cls is not None else None
            for site in self._calls_to(layer.container_text.rsplit(".", 1)[-1]):
                func = site.call.func
                if isinstance(func, cst.Subscript) and _index_of(func, len(layer.elements)) == layer.index and \
                        (methods is None or any(id(a) in methods for a in site.ancestors)):
                    out.append((site.call, site.ancestors, site.scope))
        elif layer.kind == "attr" and layer.cls is not None:
            wiring = self.wiring(layer.cls)
            methods = {id(layer.cls.methods[m]) for m in wiring}
            for site in self._calls_to(layer.name):
                if isinstance(site.call.func, cst.Attribute) and isinstance(site.call.func.value, cst.Name) \
                        and site.call.func.value.value == "self" and any(id(a) in methods for a in site.ancestors):
                    out.append((site.call, site.ancestors, site.scope))
        elif layer.kind == "local" and layer.name:
            owner = layer.scope.node
            for site in self._calls_to(layer.name):
                if isinstance(site.call.func, cst.Name) and (owner is self.facts.module or
                                                             any(a is owner for a in site.ancestors)):
                    out.append((site.call, site.ancestors, site.scope))
        return out

    def _calls_to(self, name: Optional[str]) -> list:
        if self._calls_by_func is None:
            index: dict = {}
            for site in self.facts.calls:
                func = site.call.func
                while isinstance(func, cst.Subscript):  # self.blocks[1](x) under "blocks"
                    func = func.value
                key = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
                if key is not None:
                    index.setdefault(key, []).append(site)
            self._calls_by_func = index
        return self._calls_by_func.get(name, [])

    # -- following an output ------------------------------------------------------------------
    def flows(self, layer: LayerRef) -> list[Flow]:
        """Every path of the layer's output that the source shows."""
        key = layer.key()
        cached = self._flows.get(key)
        if cached is not None:
            return cached
        self._flows[key] = []  # a layer applied to its own output: stop there
        if layer.param:
            flows = self.parameter_flows(layer)
        elif layer.kind == "element":
            direct = self.applications(layer)
            flows = [self.follow(node, anc, scope) for node, anc, scope in direct] or [self.sequential(layer)]
        else:
            flows = [self.follow(node, anc, scope) for node, anc, scope in self.applications(layer)]
            if layer.kind == "local" and not flows and layer.name:
                held = self.container_holding(layer.name, layer.scope)
                if held is not None:
                    flows = [self.sequential(held)]
        self._flows[key] = flows
        return flows

    def parameter_flows(self, layer: LayerRef) -> list[Flow]:
        """Where a bare parameter goes in the forward: applied to an input (``x @ self.W``, a
        matmul function) its product is followed like a layer's output; added to the signal or
        multiplying it elementwise, it is not a fan-in weight (``param_add``/``param_mul``)."""
        flows = []
        for node, anc, scope in self._parameter_reads(layer):
            while True:  # W.T, W.t(), W.transpose(0, 1)
                parent = anc[-1] if anc else None
                if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value in torch_knowledge.WEIGHT_VIEWS:
                    if len(anc) >= 2 and isinstance(anc[-2], cst.Call) and anc[-2].func is parent:
                        node, anc = anc[-2], anc[:-2]
                    else:
                        node, anc = parent, anc[:-1]
                    continue
                if isinstance(parent, cst.BinaryOperation) and parent.left is node and isinstance(parent.operator, cst.Power):
                    node, anc = parent, anc[:-1]  # w ** 2: still elementwise in w
                    continue
                break
            parent = anc[-1] if anc else None
            if isinstance(parent, cst.BinaryOperation):
                other = parent.right if parent.left is node else parent.left
                if isinstance(parent.operator, cst.MatrixMultiply):
                    flows.append(self.follow(parent, anc[:-1], scope, applied=True))
                elif isinstance(parent.operator, (cst.Add, cst.Subtract, cst.Multiply)):
                    add = not isinstance(parent.operator, cst.Multiply)
                    use = Use("param_add" if add else "param_mul", partner=other, text=short(source_of(parent), 40),
                              scope=scope)
                    if use.partner_is_data():  # x * self.w, self.h0 + x: used on the signal itself
                        flows.append(Flow(use=use))
                    elif add and isinstance(other, cst.Attribute) and isinstance(other.value, cst.Name) \
                            and other.value.value == "self":
                        use.kind = "param_delta"  # self.shared + self.delta: a delta on another weight
                        flows.append(Flow(use=use))
                continue
            if isinstance(parent, cst.Arg) and len(anc) >= 2 and isinstance(anc[-2], cst.Call):
                call = anc[-2]
                func = call.func
                if (isinstance(func, (cst.Name, cst.Attribute)) and
                        self.quals(func, scope) & torch_knowledge.MATMUL_FUNCTIONS) or \
                        (isinstance(func, cst.Attribute) and func.attr.value in torch_knowledge.MATMUL_METHODS):
                    flows.append(self.follow(call, anc[:-2], scope, applied=True))
        return flows

    def parameter_at(self, expr: cst.BaseExpression, scope: Scope) -> Optional[LayerRef]:
        """``self.B``, ``self.B.T``: a bare parameter of this class, as a layer."""
        while isinstance(expr, (cst.Attribute, cst.Call)):
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                    expr.func.attr.value in torch_knowledge.WEIGHT_VIEWS:
                expr = expr.func.value
            elif isinstance(expr, cst.Attribute) and expr.attr.value in torch_knowledge.WEIGHT_VIEWS:
                expr = expr.value
            else:
                break
        if not (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self"):
            return None
        cls = scope.enclosing_class()
        value = cls.attr(expr.attr.value) if cls is not None else None
        if isinstance(value, cst.Call) and last_name(value.func) in knowledge.parameter_makers():
            return LayerRef("attr", scope, ctor=value, name=expr.attr.value, cls=cls, param=True)
        return None

    def _parameter_reads(self, layer: LayerRef) -> list[tuple]:
        """``self.W`` in the class's forward methods, or a local ``W`` in its function."""
        out = []
        if layer.cls is not None and layer.name:
            for method in self.wiring(layer.cls):
                fn = layer.cls.methods[method]
                info = self.facts.function_of(fn)
                index = self._uses.get(id(fn))
                if index is None:
                    index = self._uses[id(fn)] = _name_uses(fn)
                for _, node, anc in index[1].get("self", ()):
                    parent = anc[-1] if anc else None
                    if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value == layer.name:
                        out.append((parent, anc[:-1], info.scope if info is not None else layer.scope))
        elif layer.name and layer.site is not None:
            assign = next((a for a in reversed(layer.site.ancestors) if isinstance(a, (cst.Assign, cst.AnnAssign))), None)
            found = self._next_use(layer.name, assign, layer.site.ancestors, layer.scope) if assign is not None else None
            if found is not None:
                out.append((found[0], found[1], layer.scope))
        return out

    def sequential(self, layer: LayerRef) -> Flow:
        """The elements after ``layer`` in its container; at the end, where the container's
        own output goes."""
        flow = Flow()
        scope = layer.scope
        for j in range(layer.index + 1, len(layer.elements)):
            el = layer.elements[j]
            act = self.activation(el, scope)
            if act is not None:
                flow.acts.append(act)
                continue
            if self.is_passthrough(el, scope):
                continue
            nxt = self.layer_of(el, scope) if isinstance(el, (cst.Name, cst.Attribute)) else None
            if isinstance(el, cst.Call) and self.is_layer_ctor(el, scope):
                found = self.resolver.layer(self.quals(el.func, scope))
                nxt = LayerRef("element", scope, ctor=el, spec=found[1] if found else None,
                               framework=found[2] if found else None, container=layer.container,
                               elements=layer.elements, index=j, container_text=layer.container_text)
            if nxt is not None:
                flow.next_layer = nxt
                flow.use = Use("layer", text=f"`{nxt.text()}`")
            else:
                flow.use = Use("other", text=short(source_of(el), 30))
            return flow
        flow.last_in = layer.container_text
        outer = self._container_ref(layer)
        if outer is not None:
            after = self.flows(outer)
            if after:
                first = after[0]
                return Flow(flow.acts + first.acts, first.use, first.next_layer, first.returned_by,
                            flow.last_in, [outer])
        flow.use = Use("end", text=f"the end of `{layer.container_text}`")
        return flow

    def _container_ref(self, layer: LayerRef) -> Optional[LayerRef]:
        """The container of an element, as a layer of its own (``self.mlp``, a local ``block``)."""
        call = layer.container
        if layer.cls is None and layer.scope is not None:
            cls = layer.scope.enclosing_class()
        else:
            cls = layer.cls
        if cls is not None:
            for attr, (value, _) in cls.attrs.items():
                if value is call:
                    return LayerRef("attr", layer.scope, ctor=call, name=attr, cls=cls)
        for name, value in layer.scope.values.items():
            if value is call:
                return LayerRef("local", layer.scope, ctor=call, name=name)
        return None

    def follow(self, node: cst.BaseExpression, anc: tuple, scope: Scope, applied: bool = False) -> Flow:
        """Follow one output from ``node`` (whose ancestors are ``anc``). ``applied``: ``node``
        applies a bare weight (``x @ W``), so the first name added to it is its bias, unless it
        is the forward's data (``text + x @ W``: a branch added to the signal)."""
        flow = Flow()
        for _ in range(_MAX_STEPS):
            parent = anc[-1] if anc else None
            if parent is None:
                return flow
            if isinstance(parent, cst.Arg) and len(anc) >= 2 and isinstance(anc[-2], cst.Call):
                call = anc[-2]
                pos = positional(call)
                if not pos or pos[0] is not parent or call.func is node:
                    flow.use = Use("other", text=short(source_of(call.func), 30))
                    return flow
                step = self._callee(call, scope)
                if step is None:
                    flow.use = Use("other", text=short(source_of(call.func), 30))
                    return flow
                kind, value = step
                if kind == "act":
                    flow.acts.append(value)
                elif kind == "layer":
                    flow.next_layer = value
                    flow.use = Use("layer", text=f"`{short(source_of(call.func), 30)}`")
                    return flow
                elif kind == "split":
                    flow.use = self._split(anc[:-2], scope)
                    return flow
                node, anc = call, anc[:-2]
                continue
            if isinstance(parent, cst.Attribute) and parent.value is node and len(anc) >= 2 \
                    and isinstance(anc[-2], cst.Call) and anc[-2].func is parent:
                method = parent.attr.value
                call = anc[-2]
                if method in SPLIT_METHODS:
                    flow.use = self._split(anc[:-2], scope)
                    return flow
                if method in ACTIVATION_METHODS:
                    flow.acts.append(ACTIVATIONS[ACTIVATION_METHODS[method]])
                elif method not in VIEW_METHODS and method not in SQUARING_METHODS:
                    flow.use = Use("other", text=f".{method}()")
                    return flow
                node, anc = call, anc[:-2]
                continue
            if isinstance(parent, cst.Subscript) and parent.value is node:
                node, anc = parent, anc[:-1]
                continue
            if isinstance(parent, cst.UnaryOperation):
                node, anc = parent, anc[:-1]
                continue
            if isinstance(parent, cst.BinaryOperation):
                other = parent.right if parent.left is node else parent.left
                op = parent.operator
                if isinstance(op, cst.Add) and (_is_bias(other) or (
                        applied and flow.bias_partner is None and isinstance(other, (cst.Name, cst.Attribute))
                        and not Use("add", partner=other, scope=scope).partner_is_data())):
                    flow.bias_partner = other  # x @ W + b: the layer's own bias
                    node, anc = parent, anc[:-1]
                    continue
                if isinstance(op, cst.MatrixMultiply) and parent.left is node:
                    nxt = self.parameter_at(other, scope)
                    if nxt is not None:  # (x @ A) @ B: B applied to A's output
                        flow.next_layer = nxt
                        flow.use = Use("layer", text=f"`{short(source_of(other), 30)}`")
                        return flow
                if isinstance(op, (cst.Add, cst.Subtract)) and number(other) is not None:
                    if number(other) == 1:
                        flow.use = Use("one_plus", partner=other, text=source_of(parent))
                        return flow
                    node, anc = parent, anc[:-1]  # y + 0.5: a shift keeps the units alike
                    continue
                if isinstance(op, cst.Power):
                    node, anc = parent, anc[:-1]
                    continue
                if isinstance(op, cst.Multiply) and (number(other) not in (None, 0) or _is_self_attribute(other)):
                    flow.scales.append(other)  # y * self.alpha_scale: scaled, still this output
                    node, anc = parent, anc[:-1]
                    continue
                kind = "add" if isinstance(op, cst.Add) else "sub" if isinstance(op, cst.Subtract) else \
                    "mul" if isinstance(op, (cst.Multiply, cst.MatrixMultiply)) else "other"
                flow.use = Use(kind, partner=other, text=short(source_of(parent), 40), scope=scope,
                               then=anc[-2] if len(anc) >= 2 else None)
                return flow
            if isinstance(parent, cst.AugAssign) and parent.target is node:  # out += identity
                op = parent.operator
                kind = "add" if isinstance(op, cst.AddAssign) else "sub" if isinstance(op, cst.SubtractAssign) else \
                    "mul" if isinstance(op, (cst.MultiplyAssign, cst.MatrixMultiplyAssign)) else "other"
                flow.use = Use(kind, partner=parent.value, text=short(source_of(parent), 40), scope=scope)
                return flow
            if isinstance(parent, cst.Return):
                fn = next((a for a in reversed(anc) if isinstance(a, (cst.FunctionDef, cst.Lambda))), None)
                flow.returned_by = fn.name.value if isinstance(fn, cst.FunctionDef) else "<module>"
                info = self.facts.function_of(fn) if isinstance(fn, cst.FunctionDef) else None
                flow.returned_by_builder = info is not None and info.cls is None and \
                    info.scope.parent is self.facts.module_scope
                flow.use = Use("return", text="returned")
                return flow
            if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
                target = parent.targets[0].target if isinstance(parent, cst.Assign) and len(parent.targets) == 1 \
                    else getattr(parent, "target", None)
                if isinstance(target, (cst.Tuple, cst.List)):
                    flow.use = self._split(anc, scope)
                    return flow
                if not isinstance(target, cst.Name):
                    flow.use = Use("other", text=short(source_of(target), 30) if target is not None else "")
                    return flow
                use = self._next_use(target.value, parent, anc, scope)
                if use is None:
                    flow.use = Use("other", text="unused")
                    return flow
                node, anc = use
                continue
            flow.use = Use("other", text=type(parent).__name__)
            return flow
        return flow

    def _split(self, anc: tuple, scope: Scope, depth: int = 0) -> Use:
        """``shift, scale = y.chunk(2)``: the names, and where each chunk goes next."""
        names = _assigned_names(anc)
        use = Use("split", names=names)
        assign = next((a for a in reversed(anc) if isinstance(a, cst.Assign)), None)
        if assign is None or depth:
            return use
        for name in names:
            found = self._next_use(name, assign, anc + (assign,), scope)
            if found is not None:
                use.chunks.append(self.follow(found[0], found[1], scope))
        return use

    def _callee(self, call: cst.Call, scope: Scope) -> Optional[tuple]:
        """What the function a value is handed to does with it."""
        func = call.func
        if isinstance(func, (cst.Name, cst.Attribute)):
            quals = self.quals(func, scope)
            if quals:
                if self.resolver.is_split(quals):
                    return "split", None
                if self.resolver.is_passthrough(quals):
                    return "pass", None
        act = self.activation(func, scope)
        if act is not None:
            return "act", act
        if self.is_passthrough(func, scope):
            return "pass", None
        layer = self.layer_of(func, scope)
        if layer is not None:
            return "layer", layer
        if isinstance(func, (cst.Name, cst.Attribute)):
            found = self.resolver.layer(self.quals(func, scope))
            if found is not None and found[1].functional:  # slim.fully_connected(h, 10): applied here
                return "layer", self.ref_for_ctor(call, scope, "functional")
        if isinstance(func, cst.Call) and id(func) in self.extra_layers:
            return "layer", self.ref_for_ctor(func, scope, "inline")
        return None

    def _next_use(self, name: str, assign: cst.CSTNode, anc: tuple, scope: Scope) -> Optional[tuple]:
        """The first read of ``name`` after ``assign`` in the same function (or module)."""
        owner = next((a for a in reversed(anc) if isinstance(a, (cst.FunctionDef, cst.Module))), self.facts.module)
        index = self._uses.get(id(owner))
        if index is None:
            index = self._uses[id(owner)] = _name_uses(owner)
        ends, reads = index
        end = ends.get(id(assign))
        if end is None:
            return None
        for position, node, node_anc in reads.get(name, ()):
            if position > end:
                return node, node_anc
        return None


def _index_of(sub: cst.Subscript, length: int) -> Optional[int]:
    """The literal index of ``seq[i]`` (negative ones counted from ``length``)."""
    if len(sub.slice) != 1 or not isinstance(sub.slice[0].slice, cst.Index):
        return None
    value = number(sub.slice[0].slice.value)
    if value is None or value != int(value):
        return None
    return int(value) + length if value < 0 else int(value)


def _is_bias(expr: cst.BaseExpression) -> bool:
    """``self.b``, ``self.bias``, ``b``: a bias added after a weight is applied."""
    path = path_of(expr)
    name = path.last if path is not None and path.parts else (path.root if path is not None else None)
    return isinstance(name, str) and name_role(name) == BIAS


def same_module(expr: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
    """``nn.Sequential(...).to(device).eval()`` is the ``nn.Sequential(...)`` it was called on."""
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
            expr.func.attr.value in torch_knowledge.SAME_MODULE_METHODS:
        expr = expr.func.value
    return expr


def _conditional(rule: tuple, call: Optional[cst.Call]) -> Optional[Activation]:
    """``(argument, bound, activation if it holds, activation otherwise)``."""
    spec, bound, yes, no = rule
    value = number(get_arg(call, spec)) if call is not None else None
    if value is None:
        value = spec.default
    if value is None:
        return None
    holds = value == 0 if bound == "== 0" else value >= 0
    key = yes if holds else no
    return ACTIVATIONS[key] if key else None


def _is_self_attribute(expr: cst.BaseExpression) -> bool:
    """``self.scale``: a module's own attribute, a scale rather than the forward's data."""
    return isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self"


def container_elements(call: cst.Call) -> tuple:
    """The layers of ``nn.Sequential(a, b, c)``, ``nn.ModuleList([a, b])``, ``keras.Sequential([a, b])``."""
    args = [a for a in call.args if a.keyword is None]
    if len(args) == 1 and isinstance(args[0].value, (cst.List, cst.Tuple)):
        return tuple(e.value for e in args[0].value.elements)
    if any(a.star for a in args):
        return ()
    return tuple(a.value for a in args)


def _container_call(ctor: cst.Call, anc: tuple) -> Optional[cst.Call]:
    """The call whose positional argument (or list/tuple argument's element) ``ctor`` is."""
    if len(anc) >= 4 and isinstance(anc[-1], cst.Element) and isinstance(anc[-2], (cst.List, cst.Tuple)) \
            and isinstance(anc[-3], cst.Arg) and isinstance(anc[-4], cst.Call) and anc[-3].keyword is None:
        container = anc[-4]
    elif len(anc) >= 2 and isinstance(anc[-1], cst.Arg) and isinstance(anc[-2], cst.Call) \
            and anc[-1].keyword is None and anc[-2].func is not ctor:
        container = anc[-2]
    else:
        return None
    return container


def _assigned_names(anc: tuple) -> tuple:
    """``shift, scale, gate = ...``: the names a value is unpacked into."""
    for node in reversed(anc):
        if isinstance(node, cst.Assign):
            target = node.targets[0].target
            if isinstance(target, (cst.Tuple, cst.List)):
                return tuple(e.value.value for e in target.elements if isinstance(e.value, cst.Name))
            return ()
        if isinstance(node, (cst.SimpleStatementLine, cst.FunctionDef)):
            return ()
    return ()


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def _name_uses(owner: cst.CSTNode) -> tuple:
    """Where each node under ``owner`` ends in source order, and the reads of each name
    (position, node, ancestors), nested functions and classes excluded."""
    ends: dict[int, int] = {}
    reads: dict[str, list] = {}
    stack: list = [(owner, (), False)]
    position = 0
    while stack:
        node, anc, leaving = stack.pop()
        position += 1
        if leaving:
            ends[id(node)] = position
            continue
        if isinstance(node, cst.Name):
            parent = anc[-1] if anc else None
            if not (isinstance(parent, cst.AssignTarget) or
                    (isinstance(parent, cst.AnnAssign) and parent.target is node) or
                    (isinstance(parent, cst.Attribute) and parent.attr is node)):
                reads.setdefault(node.value, []).append((position, node, anc))
            continue
        if node is not owner and isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            continue
        stack.append((node, anc, True))
        inner = anc + (node,)
        stack.extend((child, inner, False) for child in reversed(children(node)))
    return ends, reads
