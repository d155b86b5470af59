"""Turn an init event into at most one finding: the most specific code (INI004 > INI003 >
INI001/INI002), with the recognised intent (if any) attached as ``idiom``.

One judge for every framework: the producers hand it facts, ``roles`` says what the target is,
``context`` where it runs, ``dead`` whether its units can learn, ``intent`` whether it is
deliberate, and ``messages`` says it. The indexes built here make judging a file linear in its
number of inits.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Optional

import libcst as cst

from initlint import knowledge
from initlint.knowledge import torch as T
from initlint.knowledge.base import ZERO, ArgSpec, BiasState
from initlint.knowledge.naming import (
    BIAS, BUFFER, GRAD, NORM, SCALAR, SLICE, UNKNOWN, WEIGHT, is_norm_owner_name, is_test_path,
)
from initlint.lint.frameworks.base import InitEvent, LayerRef
from initlint.lint.judge import context as C
from initlint.lint.judge import dead, intent
from initlint.lint.judge import messages as M
from initlint.lint.judge import roles
from initlint.lint.model.collect import ClassInfo, ModuleFacts
from initlint.lint.model.flow import Flow, FlowReader, same_module
from initlint.lint.model.literals import get_arg, is_false, path_of, short, source_of
from initlint.lint.model.paths import ANY_INDEX, SLICE_PART, Path
from initlint.lint.model.resolve import Resolver
from initlint.lint.model.scopes import Scope, last_name, lookup


@dataclass(frozen=True)
class Verdict:
    node: cst.CSTNode
    code: str
    message: str
    idiom: Optional[str] = None
    #: False when the structure showed a hidden layer: no comment excuses it either
    names_count: bool = True


#: In-place methods that always write zeros (``zero_``): they draw no partial pattern.
_ZERO_METHODS = frozenset(m for fw in knowledge.FRAMEWORKS for m, f in fw.tensor_methods.items() if f.value == ZERO)


def _conjuncts(test: cst.BaseExpression) -> list:
    """``a and b and c``: the tests that all hold in the ``if`` body."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _conjuncts(test.left) + _conjuncts(test.right)
    return [test]


class Judge:
    def __init__(self, facts: ModuleFacts, resolver: Resolver, events: list[InitEvent], intent_names: tuple = (),
                 path: str = ""):
        self.facts = facts
        self.fixture = is_test_path(path)  # a test file: its constants are fixtures
        self.resolver = resolver
        self.events = events
        self.intent_names = intent_names
        self.reader = FlowReader(facts, resolver)
        self.reader.extra_layers = {id(e.site.call) for e in events if e.keyword is not None}
        self._home: dict[int, object] = {}
        self._by_home: dict[int, list] = {}
        self._by_path: dict[tuple, list] = {}
        for ev in events:
            home = self.home(ev)
            self._by_home.setdefault(id(home), []).append(ev)
            if ev.target is not None:
                self._by_path.setdefault((id(home), ev.target), []).append(ev)
        self._layers: dict[int, Optional[LayerRef]] = {}
        self._zeroing: Optional[dict] = None
        self._feeding: Optional[dict] = None
        self._writes: Optional[dict] = None
        self._bases: dict[int, frozenset] = {}  # id(class) -> ids of the file's classes it derives from
        self._writes_in: Optional[dict] = None
        self._order = {id(s.call): i for i, s in enumerate(facts.calls)}

    # -- entry point ---------------------------------------------------------------------
    def judge(self, ev: InitEvent) -> Optional[Verdict]:
        verdict = self._judge(ev)
        if verdict is not None and self.fixture and verdict.idiom is None:
            # a test builds its model to compute an expected output, not to train it
            return Verdict(verdict.node, verdict.code, verdict.message, "in a test file: a fixture, not a training init")
        return verdict

    def _judge(self, ev: InitEvent) -> Optional[Verdict]:
        if ev.summarized or self.superseded(ev) or self._partly_overwritten(ev):
            return None
        ctx = C.context_for(ev, self.facts, self.resolver)
        if ev.every is not None:  # slim.arg_scope: one keyword for every listed layer
            return self._every_listed(ev)
        role = roles.role(self, ev, ctx)
        one = self._applied_to_one_layer(ctx)
        if one is not None:  # net[2].apply(init_fn): one layer, not every module
            return self._single_layer(ev, ctx, (), layer=one) if role == WEIGHT else None
        if ctx.every is not None:
            return self._every_layer(ev, ctx, role)
        if role == NORM:
            reason = dead.norm(self, ev, self.layer_of(ev))
            return Verdict(ev.report_node, "INI004", reason) if reason is not None else None
        if role != WEIGHT:
            return None
        return self._single_layer(ev, ctx, extra_names=())

    def _applied_to_one_layer(self, ctx: C.Context) -> Optional[LayerRef]:
        """The layer ``.apply(fn)`` is called on, when every call hands ``fn`` one weight layer
        (``net[2].apply(init_42)``) rather than a model or a container."""
        if ctx.applied_function is None:
            return None
        found = None
        for receiver, scope in self.facts.applied.get(ctx.applied_function, ()):
            path = path_of(receiver) if receiver is not None else None
            layer = self.reader.layer_at(path, scope) if path is not None else None
            if layer is None or not isinstance(layer.ctor, cst.Call) or layer.spec is None:
                return None
            found = layer
        return found

    # -- a single layer ------------------------------------------------------------------
    def _single_layer(self, ev: InitEvent, ctx: C.Context, extra_names: tuple,
                      layer: Optional[LayerRef] = None) -> Verdict:
        layer = layer or self.layer_of(ev)
        flows = self.flows_of(ev, layer, ctx)
        bias = self.bias_of(ev)
        reason = dead.single(self, ev, layer, flows, bias)
        if reason is not None:
            return Verdict(ev.report_node, "INI004", reason)
        idiom, structure = intent.reason(self, intent.Evidence(ev, ctx, layer, flows, bias, extra_names))
        if idiom is None and not structure and not ev.zero and "init" in ev.value_text:
            idiom = f"the value {ev.value_text} is a configured init value"
        if ev.zero:
            return Verdict(ev.report_node, "INI001", M.zero_weight(ev.label(), ev.api, structure), idiom,
                           names_count=not structure)
        return Verdict(ev.report_node, "INI002", M.constant_weight(ev.label(), ev.value_text, ev.api), idiom,
                       names_count=not structure)

    # -- every layer ---------------------------------------------------------------------
    def _every_layer(self, ev: InitEvent, ctx: C.Context, role: str) -> Optional[Verdict]:
        kinds = ctx.guard_kinds()
        if kinds & {C.BIAS, C.NONWEIGHTS, C.CUSTOM_NORM} or role in (BIAS, SCALAR, SLICE, GRAD, BUFFER):
            return None
        if role == UNKNOWN and not ctx.every_params:
            return None
        if C.NORM in kinds or role == NORM:
            if ev.zero and (ev.on == "layer" or ev.target.parts in ((), ("weight",))) and not self._single_norm_block(ctx):
                return Verdict(ev.report_node, "INI003", M.every_norm(ev.label(), ev.api, ctx.every))
            return None
        specific = [g for g in ctx.guards if g.kind == C.SPECIFIC]
        if specific:
            names = tuple(n for g in specific for n in g.names)
            return self._single_layer(ev, ctx, extra_names=names)
        reason = dead.in_loop(self, ev, ctx)
        if reason is not None:
            return Verdict(ev.report_node, "INI004", reason)
        family = [n for g in ctx.guards if g.kind == C.FAMILY for n in g.names]
        only = self._only_layer(ctx, family)
        if only is not None:
            return self._single_layer(ev, ctx, (only.name,) if only.name else (), layer=only)
        return Verdict(ev.report_node, "INI003", M.every_layer(ev.label(), ev.zero, ev.value_text, ev.api,
                                                               ctx.every, family))

    def _every_listed(self, ev: InitEvent) -> Verdict:
        """Every listed layer zeroed: dead when each of them applies an activation flat at 0
        with a zero bias by default (TF-slim's ReLU and zero bias), else INI003."""
        acts = [knowledge.activation(spec.default_activation) if spec.default_activation else None
                for spec in ev.every_specs]
        if ev.zero and acts and all(a is not None and a.kills_gradient_at_zero for a in acts) and \
                all(spec.default_bias.is_zero for spec in ev.every_specs):
            return Verdict(ev.report_node, "INI004",
                           M.dead(f"the weights of {ev.every}", ev.api, acts[0], "their default activation",
                                  ev.every_specs[0].default_bias))
        return Verdict(ev.report_node, "INI003", M.every_layer(ev.label(), ev.zero, ev.value_text, ev.api, ev.every, []))

    def _only_layer(self, ctx: C.Context, families: list) -> Optional[LayerRef]:
        """A loop over ``self.modules()`` whose guard selects a family of which the file builds
        one layer only (``isinstance(m, nn.Linear)`` where the classifier is the only Linear):
        that layer, judged as itself."""
        loop = ctx.every_loop
        if not families or loop is None or ctx.cls is None or not loop.source.startswith("self."):
            return None
        classes = {c.name: c for c in self.facts.classes.values()}
        reach, todo = {id(ctx.cls)}, [ctx.cls]
        found = []
        while todo:  # the classes whose instances self.modules() can visit
            cls = todo.pop()
            for site in self.facts.calls:
                if site.scope.enclosing_class() is not cls:
                    continue
                name = last_name(site.call.func)
                inner = classes.get(name) if isinstance(site.call.func, cst.Name) else None
                if inner is not None and id(inner) not in reach:
                    reach.add(id(inner))
                    todo.append(inner)
                elif name in families and self.resolver.layer(self.resolver.qualnames(site.call.func, site.scope)):
                    found.append(site)
        return self.reader.locate(found[0], found[0].call) if len(found) == 1 else None

    def _single_norm_block(self, ctx: C.Context) -> bool:
        """A loop over ``self.modules()`` of a block that holds one norm: that norm is the
        block's last (zero-γ residual init, as in non-local blocks), not every norm."""
        loop = ctx.every_loop
        if loop is None or ctx.cls is None or not loop.source.startswith("self."):
            return False
        norms = 0
        for attr, (value, _) in ctx.cls.attrs.items():
            text = source_of(value)
            norms += text.count("Norm") + text.count("norm_layer(") or int(is_norm_owner_name(attr))
        return norms <= 1

    def bias_zeroed_in_loop(self, ev: InitEvent) -> bool:
        """The loop that zeroes every layer's weight zeroes their biases too."""
        if ev.target is None:
            return False
        owner = ev.target if ev.on == "layer" else ev.target.owner()
        return any(o.zero and o.target == owner.child("bias") for o in self._neighbours(ev))

    # -- the layer of an event -----------------------------------------------------------
    def owner_of(self, ev: InitEvent) -> Optional[Path]:
        """The layer whose weight the event's target is: ``self.fc`` for ``self.fc.weight``."""
        t = ev.target
        if t is None:
            return None
        return t if ev.on == "layer" else (t.owner() if t.last == "weight" else None)

    def layer_of(self, ev: InitEvent) -> Optional[LayerRef]:
        key = id(ev)
        if key not in self._layers:
            self._layers[key] = self._find_layer(ev)
        return self._layers[key]

    def _find_layer(self, ev: InitEvent) -> Optional[LayerRef]:
        if ev.layer is not None:
            return ev.layer
        if ev.keyword is not None:  # a layer constructor with a kernel keyword
            return self.reader.locate(ev.site, ev.site.call)
        param = self._parameter(ev)
        if param is not None:
            return param
        owner = self.owner_of(ev)
        narrowed = self.narrowed_class(ev)
        if owner is not None:
            return self.reader.layer_at(owner, ev.site.scope, narrowed)
        t = ev.target
        holder = narrowed or (ev.site.scope.enclosing_class() if t is not None and t.root == "self" else None)
        if holder is not None and len(t.parts) == 1 and isinstance(t.parts[0], str) and t.parts[0] in holder.attrs:
            # init.zeros_(module.static_weight) under isinstance(module, Block), or
            # init.constant_(self.inv_sigma, 1) in the class itself: the class's own Parameter
            value, where = holder.attrs[t.parts[0]]
            value = same_module(value)
            if isinstance(value, cst.Call) and self.resolver.qualnames(value.func, where) & T.PARAMETER_CLASSES:
                return LayerRef("attr", where, ctor=value, name=t.parts[0], cls=holder, param=True)
        if ev.helper is not None and ev.target is None:
            # zero_module(nn.Conv2d(...)): the helper's result stands where the layer does
            arg = next((a.value for a in ev.site.call.args if a.keyword is None), None)
            if isinstance(arg, cst.Call) and self.reader.is_layer_ctor(arg, ev.site.scope):
                ref = self.reader.locate(ev.site, ev.site.call)
                found = self.resolver.layer(self.resolver.qualnames(arg.func, ev.site.scope))
                ref.ctor = arg
                ref.spec, ref.framework = (found[1], found[2]) if found else (None, None)
                return ref
        return None

    def narrowed_class(self, ev: InitEvent) -> Optional[ClassInfo]:
        """The class of this file that a test around the init narrows ``m`` to
        (``_init_weights``' per-class branches): ``isinstance(m, Block)``, or
        ``hasattr(m, "refpoint_embed")`` when one class of the file has that attribute. Its
        forward says where ``m.proj`` goes."""
        t = ev.target
        if t is None or t.root in ("self", "cls"):
            return None
        anc = ev.site.ancestors
        for i in range(len(anc) - 2, -1, -1):
            node = anc[i]
            if isinstance(node, cst.If) and anc[i + 1] is node.body:
                for test in _conjuncts(node.test):
                    found = self._narrowing(test, t.root)
                    if found is not None:
                        return found
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                return None
        return None

    def _narrowing(self, test: cst.BaseExpression, root: str) -> Optional[ClassInfo]:
        if not (isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and len(test.args) == 2
                and isinstance(test.args[0].value, cst.Name) and test.args[0].value.value == root):
            return None
        kind = test.args[1].value
        if test.func.value == "isinstance" and isinstance(kind, cst.Name):
            return self.reader.class_named(kind.value)
        if test.func.value == "hasattr" and isinstance(kind, cst.SimpleString):
            attr = kind.evaluated_value
            owners = [c for c in self.facts.classes.values() if attr in c.attrs]
            return owners[0] if len(owners) == 1 else None
        return None

    def _parameter(self, ev: InitEvent) -> Optional[LayerRef]:
        """A bare parameter as its own layer: ``self.W = nn.Parameter(torch.zeros(a, b))``,
        ``self.kernel = self.add_weight(...)``, ``W = self.param(...)``."""
        parent = ev.site.ancestors[-1] if ev.site.ancestors else None
        if ev.api.startswith("nn.Parameter") or (ev.keyword is None and ev.role == WEIGHT and ev.framework != "torch"):
            if isinstance(parent, (cst.Assign, cst.AnnAssign)):
                target = parent.targets[0].target if isinstance(parent, cst.Assign) else parent.target
                if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
                    return LayerRef("attr", ev.site.scope, ctor=ev.site.call, name=target.attr.value,
                                    cls=ev.site.scope.enclosing_class(), param=True)
                if isinstance(target, cst.Name):
                    return LayerRef("local", ev.site.scope, ctor=ev.site.call, name=target.value, param=True,
                                    site=ev.site)
        return None

    def flows_of(self, ev: InitEvent, layer: Optional[LayerRef], ctx: C.Context) -> list:
        """Where the layer's output goes. A custom layer's own weight whose product its forward
        returns continues where the layer's instances go."""
        flows = self.reader.flows(layer) if layer is not None else []
        if layer is not None and not layer.param:
            return flows
        returned = [f for f in flows if f.returned_by is not None]
        flows = [f for f in flows if f.returned_by is None]
        cls = self._own_parameter_class(ev, ctx) or (layer.cls if layer is not None and layer.cls is not ctx.cls else None)
        continued: list = []
        if cls is not None and (returned or not flows):
            continued = [dataclasses.replace(f, acts=r.acts + f.acts) for r in returned or [Flow()]
                         for f in self._instance_flows(cls)]
        if not continued and returned:
            owner = cls or (layer.cls if layer is not None else None)
            if owner is not None and self._builds_modules(owner):
                continued = returned  # a module with layers of its own returns this product: its last layer
            else:  # the module is the layer (a custom Dense): only its activations count
                continued = [dataclasses.replace(r, returned_by=None) for r in returned if r.acts]
        return flows + continued

    def _builds_modules(self, cls: ClassInfo) -> bool:
        """Whether ``cls`` builds modules of its own (a projector's norm and pooling, a layer
        of this file), besides bare weights: then a weight whose product its forward returns
        is its last layer, not the whole module."""
        for value, where in cls.attrs.values():
            value = same_module(value)
            if not isinstance(value, cst.Call) or last_name(value.func) in knowledge.parameter_makers():
                continue
            quals = self.resolver.qualnames(value.func, where)
            if self.reader.file_class(value, where) is not None or any(
                    q.startswith(("torch.nn.", "keras.layers.", "flax.linen.", "flax.nnx.")) and q.rsplit(".", 1)[-1][:1].isupper()
                    for q in quals):
                return True
        return False

    def _own_parameter_class(self, ev: InitEvent, ctx: C.Context) -> Optional[ClassInfo]:
        """The class whose own weight this is (``add_weight`` in ``build``, ``self.param``,
        ``self.weight = nn.Parameter(...)``): its instances are the layer."""
        if ctx.cls is None:
            return None
        if ev.keyword is None and ev.role == WEIGHT and ev.framework != "torch":
            return ctx.cls
        t = ev.target
        if t is not None and t.root == "self" and len(t.parts) == 1 and ev.api.startswith("nn.Parameter"):
            return ctx.cls
        return None

    def _instance_flows(self, cls: ClassInfo) -> list:
        """Where the outputs of the instances of ``cls`` made at module level go (a script or
        notebook builds its model there; the reducer keeps module-level code and the wiring of
        the classes instantiated there)."""
        flows: list = []
        for site in self.reader._calls_to(cls.name):
            if site.scope.kind == "module" and isinstance(site.call.func, cst.Name) and \
                    not site.scope.resolve_head(cls.name):
                self.reader.extra_layers.add(id(site.call))
                flows.extend(self.reader.flows(self.reader.locate(site, site.call)))
        return flows

    def shift_of(self, ev: InitEvent) -> BiasState:
        """How a norm's β starts: zero by default in every framework, unless the code sets it."""
        owner = self.owner_of(ev)
        for other in self._by_path.get((id(self.home(ev)), owner.child("bias")), ()) if owner is not None else ():
            if other.chosen:
                return BiasState.CHOSEN
            if not other.zero and other.number is not None:
                return BiasState.POSITIVE if other.number > 0 else BiasState.NEGATIVE
        return BiasState.ZERO

    def bias_of(self, ev: InitEvent) -> BiasState:
        if ev.bias is not None:
            return ev.bias
        if ev.zeroes_bias:
            return BiasState.ZERO
        layer = self.layer_of(ev)
        if layer is not None and layer.param:  # x @ W + b: the bias the forward adds, if any
            partners = [f.bias_partner for f in self.reader.flows(layer) if f.bias_partner is not None]
            if not partners:
                return BiasState.NONE
            zero = all(self.zero_factor(p, ev.site.scope, ev) for p in partners)
            return BiasState.ZERO if zero else BiasState.RANDOM
        spec = layer.spec if layer is not None else None
        if spec is not None and isinstance(layer.ctor, cst.Call):
            if spec.use_bias and is_false(get_arg(layer.ctor, _keyword(spec.use_bias))):
                return BiasState.NONE
            if spec.use_bias is None and spec.default_bias == BiasState.NONE:
                return BiasState.NONE
        owner = self.owner_of(ev)
        if owner is not None:
            for other in self._by_path.get((id(self.home(ev)), owner.child("bias")), ()):
                if other.chosen:
                    return BiasState.CHOSEN
                if other.zero:
                    return BiasState.ZERO
                if other.number is not None:
                    return BiasState.POSITIVE if other.number > 0 else BiasState.NEGATIVE
            for other in self._by_path.get((id(self.home(ev)), owner), ()):
                if other.zero and other.zeroes_bias:
                    return BiasState.ZERO
        return spec.default_bias if spec is not None else BiasState.RANDOM

    def ctor_bias(self, layer: LayerRef) -> BiasState:
        spec = layer.spec
        if spec is not None and spec.use_bias and isinstance(layer.ctor, cst.Call) and \
                is_false(get_arg(layer.ctor, _keyword(spec.use_bias))):
            return BiasState.NONE
        return spec.default_bias if spec is not None else BiasState.RANDOM

    # -- other layers ----------------------------------------------------------------------
    def zeroing(self, layer: LayerRef) -> Optional[InitEvent]:
        """The event that zeroes this layer's weight, if any."""
        if self._zeroing is None:
            self._zeroing = {}
            for ev in self.events:  # a zero that a random init overwrites zeroes nothing
                found = self.layer_of(ev) if ev.zero and not self.superseded(ev) else None
                if found is not None:
                    self._zeroing.setdefault(found.key(), ev)
        return self._zeroing.get(layer.key())

    def feeding(self, layer: LayerRef) -> list:
        """(event, flow) of the zeroed layers whose output feeds this layer directly."""
        if self._feeding is None:
            self._feeding = {}
            self.zeroing(layer)
            for ev in set(self._zeroing.values()):
                for flow in self.reader.flows(self.layer_of(ev)):
                    if flow.next_layer is not None:
                        self._feeding.setdefault(flow.next_layer.key(), []).append((ev, flow))
        return self._feeding.get(layer.key(), [])

    def zero_factor(self, expr: Optional[cst.BaseExpression], scope: Scope, ev: InitEvent,
                    depth: int = 0) -> Optional[str]:
        """``tanh(self.alpha)``, ``self.scale``, ``self.gate(x)``, ``a + b`` of zero layers: the
        name of what starts at zero in an expression, if it does."""
        if expr is None or depth > 6:
            return None
        if isinstance(expr, cst.UnaryOperation):
            return self.zero_factor(expr.expression, scope, ev, depth + 1)
        if isinstance(expr, cst.BinaryOperation):  # (a sum of many terms is one level)
            left = self.zero_factor(expr.left, scope, ev, depth)
            if isinstance(expr.operator, (cst.Multiply, cst.MatrixMultiply)):
                return left or self.zero_factor(expr.right, scope, ev, depth)
            if isinstance(expr.operator, (cst.Add, cst.Subtract)) and left:
                return left if self.zero_factor(expr.right, scope, ev, depth) else None
            return None
        if isinstance(expr, cst.Call) and expr.args:
            act = self.reader.activation(expr.func, scope)
            if act is not None:
                return self.zero_factor(expr.args[0].value, scope, ev, depth + 1) if act.phi0 == 0 else None
            layer = self.reader.layer_of(expr.func, scope)
            if layer is not None:
                other = self.zeroing(layer)
                return f"`{other.label()}`" if other is not None and other is not ev else None
            name, fn = self.resolver.factory(expr, scope)
            if fn is not None:  # torch.zeros(n), tf.zeros([n])
                return f"`{short(source_of(expr), 30)}`" if fn.value == "zero" else None
            if last_name(expr.func) in knowledge.parameter_makers():  # nn.Parameter(torch.zeros(n))
                return self.zero_factor(expr.args[0].value, scope, ev, depth + 1)
            return None
        path = path_of(expr)
        if path is None:
            return None
        for other in self._by_path.get((id(self.home(ev)), path), ()):
            if other.zero and other is not ev and not self.superseded(other):
                return f"`{path.short()}`"  # (a zero that a random init overwrites is not a factor)
        if isinstance(expr, cst.Name):
            bound = lookup(expr, scope)
            if bound is not None:
                return self.zero_factor(bound.value, bound.scope, ev, depth + 1)
        return None

    def constant_at(self, expr: Optional[cst.BaseExpression], ev: InitEvent) -> bool:
        """Some init of this file sets ``expr`` (``self.v``) to a constant."""
        path = path_of(expr) if expr is not None else None
        return path is not None and bool(self._by_path.get((id(self.home(ev)), path)))

    # -- dead stores and partial writes ------------------------------------------------------
    def superseded(self, ev: InitEvent) -> bool:
        """A constant that something random or copied overwrites later (a dead store): later
        in the same function, or anywhere in another method of the same class (or of a class
        of the file it derives from). A constant
        ``nn.Parameter`` whose name a per-module init callback fills (transformers'
        ``_init_weights``: ``init.normal_(module.A_log)``) is a placeholder."""
        if ev.target is None:
            return False
        writes = self._random_writes()
        target = ev.target.child("weight") if ev.on == "layer" else ev.target
        home = self.home(ev)
        function = self._function_node(ev.site.ancestors)
        order = self._order.get(id(ev.site.call), -1)
        for w_home, w_function, w_order, w_ancestors in writes.get(target, ()):
            if (w_home is home or self._inherits(home, w_home)) and (w_function is not function or w_order > order) \
                    and not _exclusive(ev.site.ancestors, w_ancestors):
                return True
        if ev.api.startswith("nn.Parameter"):  # a placeholder: the later init is the one judged
            if any(other is not ev for other in self._by_path.get((id(home), target), ())):
                return True
        if ev.api.startswith("nn.Parameter") and target.parts:
            return bool(writes.get(Path("<any>", (target.parts[-1],))))
        return False

    def _inherits(self, cls, base) -> bool:
        """Whether ``base`` is a class of this file that ``cls`` derives from, at any depth: a
        mixin's ``reset_parameters`` overwrites what the subclass zeroed (peft's BOFT
        ``Conv2d`` and ``BOFTLayer``)."""
        if not isinstance(cls, cst.ClassDef) or not isinstance(base, cst.ClassDef):
            return False
        bases = self._bases.get(id(cls))
        if bases is None:
            by_name = {info.name: info.node for info in self.facts.classes.values()}
            found: set = set()
            todo = [cls]
            while todo:
                for arg in todo.pop().bases:
                    name = last_name(arg.value)
                    if name in by_name and by_name[name] not in found:
                        found.add(by_name[name])
                        todo.append(by_name[name])
            bases = self._bases[id(cls)] = frozenset(id(c) for c in found)
        return id(base) in bases

    def _random_writes(self) -> dict:
        """Target path -> (home, function, order) of every random init or copy in the file."""
        if self._writes is not None:
            return self._writes
        writes: dict = {}
        randoms = knowledge.random_inits()
        for i, site in enumerate(self.facts.calls):
            func = site.call.func
            target = None
            if isinstance(func, cst.Attribute) and func.attr.value in randoms and \
                    not self.resolver.qualnames(func, site.scope):
                target = path_of(func.value)  # w.data.normal_(), w.uniform_(-a, a)
            elif isinstance(func, cst.Attribute) and func.attr.value == "copy_" and site.call.args and \
                    self.resolver.factory(site.call.args[0].value, site.scope)[0] is None:
                target = path_of(func.value)  # w.data.copy_(pretrained)
            elif isinstance(func, (cst.Attribute, cst.Name)) and site.call.args and (
                    (isinstance(func, cst.Attribute) and func.attr.value in randoms) or
                    (isinstance(func, cst.Name) and func.value in randoms) or
                    self.resolver.qualnames(func, site.scope) & T.OVERWRITING_COLLECTIVES):
                # nn.init.kaiming_uniform_(w), trunc_normal_(w), dist.broadcast(w, src=0)
                target = path_of(site.call.args[0].value)
            if target is None:
                continue
            entry = (self._home_of(site.ancestors), self._function_node(site.ancestors), i, site.ancestors)
            writes.setdefault(target, []).append(entry)
            if len(target.parts) == 1:
                writes.setdefault(Path("<any>", target.parts), []).append(entry)  # module.A_log
        self._writes = writes
        return writes

    def _partly_overwritten(self, ev: InitEvent) -> bool:
        """``w.zero_()`` then ``w[:k, :k].copy_(eye)`` in the same function: the zero is the
        background of a partial identity, not an all-zero weight."""
        if ev.target is None or ev.on != "tensor":
            return False
        fn = self._function_node(ev.site.ancestors)
        if fn is None:
            return False
        prefix = ev.target.parts
        for p in self._partial_writes().get(id(fn), ()):
            if p.root == ev.target.root and len(p.parts) > len(prefix) and p.parts[:len(prefix)] == prefix and (
                    not isinstance(p.parts[len(prefix)], str) or p.parts[len(prefix)] in (SLICE_PART, ANY_INDEX)):
                return True
        return False

    def _partial_writes(self) -> dict:
        """id(function) -> the paths written in place there by a method whose value may differ
        from a zero background (``copy_``, ``fill_``, a random init): indexed once, since every
        event asks (a scan of every call per event is quadratic)."""
        if self._writes_in is None:
            methods = (knowledge.receiver_methods() | knowledge.random_inits()) - _ZERO_METHODS
            index: dict[int, list] = {}
            for site in self.facts.calls:
                func = site.call.func
                if isinstance(func, cst.Attribute) and func.attr.value in methods:
                    p = path_of(func.value)
                    if p is not None:
                        for a in site.ancestors:
                            if isinstance(a, cst.FunctionDef):
                                index.setdefault(id(a), []).append(p)
            self._writes_in = index
        return self._writes_in

    # -- where events are ------------------------------------------------------------------
    def home(self, ev: InitEvent):
        """The nearest enclosing class, else the outermost function, else the module (None):
        paths such as ``self.mlp[0]`` mean the same layer only there."""
        key = id(ev)
        if key not in self._home:
            self._home[key] = self._home_of(ev.site.ancestors)
        return self._home[key]

    @staticmethod
    def _home_of(ancestors: tuple):
        outer = None
        for anc in reversed(ancestors):
            if isinstance(anc, cst.ClassDef):
                return anc
            if isinstance(anc, cst.FunctionDef):
                outer = anc
        return outer

    @staticmethod
    def _function_node(ancestors: tuple) -> Optional[cst.FunctionDef]:
        return next((a for a in reversed(ancestors) if isinstance(a, cst.FunctionDef)), None)

    def _neighbours(self, ev: InitEvent) -> list:
        return self._by_home.get(id(self.home(ev)), [])

    def enclosing_functions(self, ev: InitEvent) -> Iterable[cst.FunctionDef]:
        return (a for a in reversed(ev.site.ancestors) if isinstance(a, cst.FunctionDef))

    @staticmethod
    def assigned_name(ev: InitEvent) -> Optional[str]:
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


def _exclusive(a: tuple, b: tuple) -> bool:
    """Two statements in different branches of one ``if``: never both run."""
    position = {id(node): i for i, node in enumerate(b)}
    for i, node in enumerate(a[:-1]):
        j = position.get(id(node))
        if j is None or j + 1 >= len(b):
            continue
        if isinstance(node, cst.If) and a[i + 1] is not b[j + 1]:
            return True
    return False


def _keyword(name: str) -> ArgSpec:
    return ArgSpec(None, name)
