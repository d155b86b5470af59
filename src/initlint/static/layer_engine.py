"""The engine shared by the layer frameworks (Keras, Flax, Haiku): init events of layers.

Layer frameworks say how a weight starts in the *constructor* of the layer, through a keyword
argument, instead of calling an init function on a tensor as PyTorch does. The engine
therefore looks at every call's kernel keywords, resolves the value (through strings,
classes, factories, variables, ``self`` attributes, dataclass fields and ``**kwargs`` dicts)
and, for each zero or constant kernel, reads what the layer's output meets: its
``activation=``, the next element of a ``Sequential``, or the statements that consume its
output (``x = Dense(...)(x); x = relu(x)``, ``relu(self.fc(x))``). That gives INI004 (dead
layers, chains of zero layers) and the intent signals of layer code (``name="head"``, a
``num_classes`` width, an output split into shift/scale/gate). Each framework module
(``keras_events``, ``flax_events``) supplies only its ``Tables``; everything else is here.

Only weights become events: biases, norm parameters, tokens, position embeddings, metric
state and frozen variables never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

import libcst as cst

from initlint.static import activations as A
from initlint.static import apis_keras_flax as K
from initlint.static import dead as D
from initlint.static import intent
from initlint.static.apis import ONE, ZERO, ArgSpec
from initlint.static.collect import CallSite, ClassInfo, FunctionInfo, ModuleFacts
from initlint.static.events import InitEvent, get_arg, number, source_of
from initlint.static.names import Scope, dotted_name
from initlint.static.roles import BIAS, SCALAR, WEIGHT, name_role

_MAX_DEPTH = 6  # variable → variable → ... when resolving a value
_MAX_FLOW = 8  # statements followed from a layer's output
#: Methods whose return value is a module's output (a layer returned there is its last layer).
_MODULE_OUTPUT_METHODS = frozenset({"__call__", "call", "forward"})


# -- resolved values -----------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A constant initializer found in the source."""

    zero: bool
    text: str  # "0", "1", "0.5", "`scale`"
    api: str  # how the user spelled it, for messages
    number: Optional[float] = None  # the constant when known
    guard: Optional[str] = None  # an IfExp test whose name says zero (``zeros if self.zero_head else ...``)


@dataclass(frozen=True)
class Where:
    """Where names in an expression are looked up: the import scope, the enclosing functions
    (innermost first, for their local ``name = value`` bindings) and the class (for ``self.x``)."""

    scope: Scope
    functions: tuple = ()
    cls: Optional[ClassInfo] = None


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def string_value(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = expr.evaluated_value
        except Exception:  # noqa: BLE001 - odd literals are not initializer names
            return None
        return value if isinstance(value, str) else None
    return None


def short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


# -- framework tables --------------------------------------------------------------------------


class Tables:
    """What differs between layer frameworks. Subclasses fill in the lookups."""

    framework = "keras"
    kernel_keywords: dict[str, str] = {}
    passthrough: frozenset = frozenset()

    def __init__(self, resolver):
        self.resolver = resolver

    def qualnames(self, expr: cst.BaseExpression, scope: Scope) -> set[str]:
        return {self.canonical(q) for q in self.resolver.qualnames(expr, scope)}

    def canonical(self, qualname: str) -> str:
        return qualname

    def strings(self, call: Optional[cst.Call], where: Where) -> dict[str, float]:
        """Strings that name a constant initializer where this call takes them."""
        return {}

    def uncalled(self, quals: set[str], keyword: Optional[str]) -> Optional[K.InitValue]:
        """An initializer used as a value: ``Zeros`` (a class), ``nn.initializers.zeros``."""
        return None

    def factory(self, quals: set[str]) -> Optional[K.InitValue]:
        """A call that makes an initializer: ``Zeros()``, ``Constant(0.5)``, ``zeros_init()``."""
        return None

    def is_getter(self, quals: set[str]) -> bool:
        """``keras.initializers.get(x)``: the initializer ``x`` names."""
        return False

    def layer(self, quals: set[str]) -> Optional[tuple[str, K.LayerSpec]]:
        return None

    def is_sequential(self, quals: set[str]) -> bool:
        return False

    def is_passthrough(self, quals: set[str]) -> bool:
        return False

    def activation_layer(self, call: cst.Call, quals: set[str], scope: Scope, engine: "Engine") -> Optional[A.Activation]:
        """An activation given as a layer object: ``layers.ReLU()``, ``Activation("relu")``."""
        return None

    def activation_string(self, text: str) -> Optional[A.Activation]:
        return None

    def custom_events(self, engine: "Engine") -> Iterator["Candidate"]:
        """Framework-specific parameter constructors (``add_weight``, ``self.param``...)."""
        return iter(())


# -- candidates: a constant kernel somewhere, before judgement -------------------------------


@dataclass
class Candidate:
    site: CallSite
    value: Value
    api: str
    label: str
    keyword: Optional[str] = None  # the kernel keyword, for layer constructors
    layer: Optional[tuple[str, K.LayerSpec]] = None
    names: list = field(default_factory=list)  # intent names (name=, assigned to...)
    widths: list = field(default_factory=list)  # identifiers of the output width
    cls: Optional[ClassInfo] = None
    where: Optional[Where] = None
    dead: Optional[str] = None
    idiom: Optional[str] = None


@dataclass
class Flow:
    """What a layer's output meets: activations in order, then the next weight layer
    (its constructor call), the names it is split into, or the end of a block."""

    acts: list = field(default_factory=list)
    next_layer: Optional[cst.Call] = None
    split_names: tuple = ()
    returned: Optional[str] = None  # the function whose return value it is
    last_in: Optional[str] = None  # the container it is the last layer of


class Engine:
    def __init__(self, facts: ModuleFacts, tables: Tables):
        self.facts = facts
        self.t = tables
        self._fields: dict[int, dict[str, cst.BaseExpression]] = {}
        self._ctor_events: dict[int, Candidate] = {}

    # -- entry point --------------------------------------------------------------------
    def events(self) -> list[InitEvent]:
        cands: list[Candidate] = []
        for site in self.facts.calls:
            c = self._keyword_candidate(site)
            if c is not None:
                cands.append(c)
        cands.extend(self.t.custom_events(self))
        if not cands:
            return []
        for c in cands:
            if c.layer is not None:
                self._ctor_events[id(c.site.call)] = c
        for c in cands:
            self._analyse(c)
        out = []
        for c in cands:
            out.append(InitEvent(
                c.site, c.site.call, c.api, c.value.zero, c.value.text, None, on="layer", role=WEIGHT,
                target_label=c.label, dead=c.dead, idiom=c.idiom, framework=self.t.framework,
            ))
        return out

    # -- where a call sits ------------------------------------------------------------------
    def where_of(self, site: CallSite) -> Where:
        functions = []
        cls = None
        for anc in reversed(site.ancestors):
            if isinstance(anc, cst.FunctionDef):
                info = self.facts.function_of(anc)
                if info is not None:
                    functions.append(info)
                    if cls is None and info.cls is not None and len(functions) == 1:
                        cls = info.cls
            elif isinstance(anc, cst.ClassDef) and cls is None and not functions:
                cls = self.facts.classes.get(id(anc))
        if cls is None and functions:
            cls = functions[-1].cls
        return Where(site.scope, tuple(functions), cls)

    def enclosing_class(self, site: CallSite) -> Optional[ClassInfo]:
        for anc in reversed(site.ancestors):
            if isinstance(anc, cst.ClassDef):
                return self.facts.classes.get(id(anc))
        return None

    # -- values -------------------------------------------------------------------------------
    def value(self, expr: cst.BaseExpression, where: Where, strings: dict, keyword: Optional[str] = None,
              depth: int = 0) -> Optional[Value]:
        """The constant an initializer expression stands for, or None (random, unknown, or not
        something the framework would accept)."""
        if depth > _MAX_DEPTH or expr is None:
            return None
        text = string_value(expr)
        if text is not None:
            if text in strings:
                v = strings[text]
                return Value(v == 0, _fmt(v), source_of(expr), v)
            return None
        if isinstance(expr, cst.IfExp):
            return self._ifexp_value(expr, where, strings, keyword, depth)
        if isinstance(expr, cst.Dict):
            return self._config_dict_value(expr, strings)
        if isinstance(expr, cst.Lambda):
            return self._lambda_value(expr, where)
        if isinstance(expr, cst.Call):
            return self._call_value(expr, where, strings, keyword, depth)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            quals = self.t.qualnames(expr, where.scope)
            if quals:
                iv = self.t.uncalled(quals, keyword)
                if iv is None:
                    return None
                return self._from_init_value(iv, None, source_of(expr), where)
            bound = self.binding(expr, where)
            if bound is None:
                return None
            inner, inner_where = bound
            v = self.value(inner, inner_where, strings, keyword, depth + 1)
            if v is None:
                return None
            via = source_of(expr)
            api = v.api if "(via" in v.api else f"{v.api} (via `{via}`)"
            return Value(v.zero, v.text, api, v.number, v.guard)
        return None

    def _ifexp_value(self, expr: cst.IfExp, where, strings, keyword, depth) -> Optional[Value]:
        body = self.value(expr.body, where, strings, keyword, depth + 1)
        if body is not None:
            guard = source_of(expr.test) if any(intent.says_zero(n) for n in _names_in(expr.test)) else None
            return Value(body.zero, body.text, body.api, body.number, guard or body.guard)
        return self.value(expr.orelse, where, strings, keyword, depth + 1)

    def _config_dict_value(self, expr: cst.Dict, strings: dict) -> Optional[Value]:
        """``{"class_name": "Zeros", "config": {}}``: a serialized Keras initializer."""
        if not strings:
            return None
        entries = {(string_value(e.key) if isinstance(e, cst.DictElement) else None): e.value for e in expr.elements}
        name = string_value(entries.get("class_name")) if entries.get("class_name") is not None else None
        if name is None:
            return None
        config = entries.get("config")
        value_expr = None
        if isinstance(config, cst.Dict):
            for e in config.elements:
                if isinstance(e, cst.DictElement) and string_value(e.key) == "value":
                    value_expr = e.value
        if name in ("Constant", "constant") and value_expr is not None:
            v = number(value_expr)
            if v is None:
                return Value(False, f"`{source_of(value_expr)}`", short(source_of(expr)))
            return Value(v == 0, _fmt(v), short(source_of(expr)), v)
        if name in strings:
            v = strings[name]
            return Value(v == 0, _fmt(v), short(source_of(expr)), v)
        return None

    def _lambda_value(self, expr: cst.Lambda, where: Where) -> Optional[Value]:
        """``lambda shape, dtype=None: tf.zeros(shape)``: an initializer written inline."""
        body = expr.body
        if not isinstance(body, cst.Call):
            return None
        for q in self.t.qualnames(body.func, where.scope):
            iv = K.ARRAY_FACTORIES.get(q)
            if iv is not None:
                return self._from_init_value(iv, body, short(source_of(expr)), where)
        return None

    def _call_value(self, expr: cst.Call, where, strings, keyword, depth) -> Optional[Value]:
        quals = self.t.qualnames(expr.func, where.scope)
        if quals:
            iv = self.t.factory(quals)
            if iv is not None:
                return self._from_init_value(iv, expr, short(source_of(expr)), where)
            if self.t.is_getter(quals) and expr.args:
                v = self.value(expr.args[0].value, where, strings, keyword, depth + 1)
                return Value(v.zero, v.text, short(source_of(expr)), v.number, v.guard) if v is not None else None
            return None
        # A local variable holding a factory result that is itself called is not an
        # initializer; a local *class* is a custom initializer: unknown either way.
        return None

    def _from_init_value(self, iv: K.InitValue, call: Optional[cst.Call], api: str, where: Where) -> Optional[Value]:
        if iv.kind == ZERO:
            return Value(True, "0", api, 0.0)
        if iv.kind == ONE:
            return Value(False, "1", api, 1.0)
        spec = iv.value_arg
        arg = get_arg(call, spec) if call is not None else None
        if arg is None:
            if spec is None or spec.default is None:
                return None
            return Value(spec.default == 0, _fmt(spec.default), api, spec.default)
        v = self.numeric(arg, where)
        if v is not None:
            return Value(v == 0, _fmt(v), api, v)
        if isinstance(arg, cst.Name) and arg.value in ("True", "False", "None"):
            return None
        return Value(False, f"`{short(source_of(arg), 30)}`", api)

    def numeric(self, expr: cst.BaseExpression, where: Where, depth: int = 0) -> Optional[float]:
        """A number literal, or a local/module name bound to one."""
        v = number(expr)
        if v is not None or depth > _MAX_DEPTH:
            return v
        if isinstance(expr, (cst.Name, cst.Attribute)) and not self.t.resolver.qualnames(expr, where.scope):
            bound = self.binding(expr, where)
            if bound is not None:
                return self.numeric(bound[0], bound[1], depth + 1)
        return None

    # -- bindings -------------------------------------------------------------------------------
    def binding(self, expr: cst.BaseExpression, where: Where) -> Optional[tuple[cst.BaseExpression, Where]]:
        """What a local name, a module name or ``self.attr`` was last assigned, and where to
        resolve that value."""
        if isinstance(expr, cst.Name):
            name = expr.value
            for i, fn in enumerate(where.functions):
                if name in fn.values:
                    return fn.values[name], Where(fn.scope, where.functions[i:], fn.cls or where.cls)
                if name in fn.params:
                    return None
            if name in self.facts.module_values:
                return self.facts.module_values[name], Where(self.facts.module_scope)
            return None
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self" \
                and where.cls is not None:
            cls = where.cls
            attr = expr.attr.value
            if attr in cls.attrs:
                init = self._method_info(cls, "__init__")
                scope = init.scope if init is not None else (cls.scope or self.facts.module_scope)
                return cls.attrs[attr], Where(scope, (init,) if init is not None else (), cls)
            fields = self.class_fields(cls)
            if attr in fields:
                return fields[attr], Where(cls.scope or self.facts.module_scope, (), cls)
        return None

    def _method_info(self, cls: ClassInfo, name: str) -> Optional[FunctionInfo]:
        node = cls.methods.get(name)
        return self.facts.functions.get(id(node)) if node is not None else None

    def class_fields(self, cls: ClassInfo) -> dict[str, cst.BaseExpression]:
        """Class-body defaults (``kernel_init: Callable = nn.initializers.zeros``): the
        dataclass fields of a Flax module, the class attributes of a Keras layer."""
        cached = self._fields.get(id(cls.node))
        if cached is not None:
            return cached
        out: dict[str, cst.BaseExpression] = {}
        body = cls.node.body
        for stmt in getattr(body, "body", ()):
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
                    out[small.target.value] = small.value
                elif isinstance(small, cst.Assign):
                    for t in small.targets:
                        if isinstance(t.target, cst.Name):
                            out[t.target.value] = small.value
        self._fields[id(cls.node)] = out
        return out

    # -- layer constructors with kernel keywords ------------------------------------------------
    def _keyword_candidate(self, site: CallSite) -> Optional[Candidate]:
        call = site.call
        keywords = self.t.kernel_keywords
        if not any((a.keyword is not None and a.keyword.value in keywords) or a.star == "**" for a in call.args):
            return None
        where = self.where_of(site)
        strings = self.t.strings(call, where)
        found: list[tuple[str, Value, str]] = []
        for a in call.args:
            if a.keyword is not None and a.keyword.value in keywords:
                kw = a.keyword.value
                v = self.value(a.value, where, strings, kw)
                if v is not None:
                    found.append((kw, v, f"{kw}={v.api}"))
            elif a.star == "**":
                found.extend(self._star_kwargs(a.value, where, strings))
        if not found:
            return None
        # One finding per call: the most severe keyword (zero before constant).
        found.sort(key=lambda f: (not f[1].zero, list(keywords).index(f[0])))
        kw, v, api = found[0]
        quals = self.t.qualnames(call.func, site.scope)
        layer = self.t.layer(quals)
        what = keywords[kw]
        label = f"the {what} of `{short(source_of(call.func), 40)}(...)`"
        name = _name_kwarg(call)
        if name:
            label = f"the {what} of `{short(source_of(call.func), 40)}` {name!r}"
        c = Candidate(site, v, api, label, kw, layer, where=where, cls=self.enclosing_class(site))
        if name:
            c.names.append(name)
        c.names += assigned_names(site.ancestors, call)
        if layer is not None and layer[1].kind in (K.DENSE, K.ATTENTION):
            c.widths = _width_names(call)
        return c

    def _star_kwargs(self, expr: cst.BaseExpression, where: Where, strings: dict) -> list:
        """``nn.Dense(n, **kw)`` with ``kw = {"kernel_init": zeros} if self.head_zeroinit else {}``."""
        out = []
        guard = None
        value = expr
        for _ in range(_MAX_DEPTH):
            if isinstance(value, cst.IfExp):
                if any(intent.says_zero(n) for n in _names_in(value.test)):
                    guard = source_of(value.test)
                value = value.body
                continue
            if isinstance(value, (cst.Name, cst.Attribute)):
                bound = self.binding(value, where)
                if bound is None:
                    return out
                value, where = bound
                continue
            break
        items: list[tuple[str, cst.BaseExpression]] = []
        if isinstance(value, cst.Dict):
            items = [(string_value(e.key), e.value) for e in value.elements if isinstance(e, cst.DictElement)]
        elif isinstance(value, cst.Call) and dotted_name(value.func) == "dict":
            items = [(a.keyword.value, a.value) for a in value.args if a.keyword is not None]
        for key, val in items:
            if key in self.t.kernel_keywords:
                v = self.value(val, where, strings, key)
                if v is not None:
                    if guard and not v.guard:
                        v = Value(v.zero, v.text, v.api, v.number, guard)
                    out.append((key, v, f"{key}={v.api} (via `**{short(source_of(expr), 30)}`)"))
        return out

    # -- judgement support: dead layers and intent ----------------------------------------------
    def _analyse(self, c: Candidate) -> None:
        flows = self.flows(c.site) if c.layer is not None else []
        if c.layer is not None and c.value.zero:
            c.dead = c.dead or self._dead(c, flows)
        if c.dead is None:
            c.idiom = self._idiom(c, flows)

    def _dead(self, c: Candidate, flows: list[Flow]) -> Optional[str]:
        short, spec = c.layer
        call = c.site.call
        where = c.where
        bias = self.bias_state(call, spec, where)
        if spec.kind == K.ATTENTION and c.keyword not in K.OUTPUT_KERNEL_KEYWORDS:
            if spec.out_kernel is not None:
                out_expr = get_arg(call, ArgSpec(None, spec.out_kernel))
                if out_expr is not None:
                    out_v = self.value(out_expr, where, self.t.strings(call, where), spec.out_kernel)
                    if out_v is None or not out_v.zero:
                        return None  # the output projection has its own (non-zero) init
            if bias in ("none", "zero", "default"):
                return (f"{c.label} is zeroed by {c.api}, which sets the query, key, value and output projections "
                        f"alike: the value and output projections are then two chained zero layers with "
                        f"{_bias_words(bias)}, so neither ever receives a gradient")
            return None
        if spec.kind != K.DENSE or c.keyword not in spec.dead_keywords:
            return None
        acts: list[A.Activation] = []
        if spec.activation is not None:
            act_expr = get_arg(call, spec.activation)
            act = self.activation(act_expr, where.scope) if act_expr is not None else None
            if act is None and act_expr is None and spec.default_activation:
                act = self.t.activation_string(spec.default_activation)
            if act is not None:
                acts.append(act)
        for flow in flows or [Flow()]:
            chain = acts + flow.acts
            killer = _killing(chain)
            if killer is not None:
                return self._dead_message(c, killer, bias, flow, bool(acts) and killer is acts[0])
            if flow.next_layer is not None and bias in ("none", "zero", "default") and all(a.phi0 == 0 for a in chain):
                other = self._ctor_events.get(id(flow.next_layer))
                if other is not None and other.value.zero and other.layer is not None \
                        and other.layer[1].kind == K.DENSE:
                    between = f" and {D.describe(chain[0])} between them" if chain else ""
                    if other.dead is None:
                        other.dead = (f"{other.label} is zeroed by {other.api} and so is the layer before it "
                                      f"({c.label}), whose bias is zero or absent{between}: its input is "
                                      f"all zeros, so neither layer ever receives a gradient")
                    return (f"{c.label} is zeroed by {c.api} and so is the next layer ({other.label}), with "
                            f"{_bias_words(bias)}{between} (φ(0) = 0): neither layer ever receives a gradient")
        return None

    def _dead_message(self, c: Candidate, act: A.Activation, bias: str, flow: Flow, own: bool) -> Optional[str]:
        name = D.describe(act)
        where = "its own activation" if own else "the next operation"
        if bias in ("none", "zero", "default", "negative"):
            return (f"{c.label} is zeroed by {c.api} and feeds {name} ({where}) with {_bias_words(bias)}: "
                    f"φ'(0) = 0, so every unit of this layer, and every gradient through it, is dead for good")
        if bias == "positive":
            return None  # each unit outputs φ(b) > 0 and passes gradients: symmetric, not dead
        return (f"{c.label} is zeroed by {c.api} and feeds {name} ({where}): each unit outputs "
                f"{name}(bias), so the units whose bias is ≤ 0 never receive a gradient")

    def bias_state(self, call: cst.Call, spec: K.LayerSpec, where: Where) -> str:
        """"none", "default" (the framework's zero), "zero", "positive", "negative" or "random"."""
        if spec.use_bias:
            b = get_arg(call, ArgSpec(None, spec.use_bias))
            if isinstance(b, cst.Name) and b.value == "False":
                return "none"
        if spec.bias_only_with:
            b = get_arg(call, ArgSpec(None, spec.bias_only_with))
            if b is None or (isinstance(b, cst.Name) and b.value == "None"):
                return "none"
        if not spec.bias_init:
            return "default"
        expr = get_arg(call, ArgSpec(None, spec.bias_init))
        if expr is None:
            return "default"
        v = self.value(expr, where, self.t.strings(call, where), spec.bias_init)
        if v is None or v.number is None:
            return "random"
        if v.number == 0:
            return "zero"
        return "positive" if v.number > 0 else "negative"

    def activation(self, expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[A.Activation]:
        """An activation given as a string, a function or a layer object."""
        if expr is None:
            return None
        text = string_value(expr)
        if text is not None:
            return self.t.activation_string(text)
        if isinstance(expr, cst.Call):
            quals = self.t.qualnames(expr.func, scope)
            return self.t.activation_layer(expr, quals, scope, self)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            for q in sorted(self.t.qualnames(expr, scope)):
                act = A.lookup(q)
                if act is not None:
                    return act
        return None

    # -- following a layer's output ----------------------------------------------------------
    def flows(self, site: CallSite) -> list[Flow]:
        """Every place the layer built by ``site.call`` is used, and what its output meets."""
        call = site.call
        anc = site.ancestors
        out: list[Flow] = []
        seq = self._sequential_flow(call, anc, site.scope)
        if seq is not None:
            return [seq]
        for node, node_anc in self._applications(site):
            out.append(self._follow(node, node_anc, site.scope))
        return out

    def _sequential_flow(self, call: cst.Call, anc: tuple, scope: Scope) -> Optional[Flow]:
        """``Sequential([Dense(...), ReLU(), Dense(...)])`` or ``nnx.Sequential(a, relu, b)``."""
        if len(anc) >= 4 and isinstance(anc[-1], cst.Element) and isinstance(anc[-2], (cst.List, cst.Tuple)) \
                and isinstance(anc[-3], cst.Arg) and isinstance(anc[-4], cst.Call):
            container = anc[-4]
            elements = [e.value for e in anc[-2].elements]
        elif len(anc) >= 2 and isinstance(anc[-1], cst.Arg) and isinstance(anc[-2], cst.Call) \
                and anc[-1].keyword is None and anc[-2].func is not call:
            container = anc[-2]
            elements = [a.value for a in positional(container)]
        else:
            return None
        if not self.t.is_sequential(self.t.qualnames(container.func, scope)):
            return None
        index = next((i for i, e in enumerate(elements) if e is call), None)
        if index is None:
            return None
        flow = Flow()
        for el in elements[index + 1:]:
            act = self.activation(el, scope)
            if act is not None:
                flow.acts.append(act)
                continue
            if isinstance(el, cst.Call):
                quals = self.t.qualnames(el.func, scope)
                if self.t.is_passthrough(quals):
                    continue
                if self.t.layer(quals) is not None or id(el) in self._ctor_events:
                    flow.next_layer = el
                    return flow
            return flow
        flow.last_in = short(source_of(container.func), 30)
        return flow

    def _applications(self, site: CallSite) -> list[tuple[cst.Call, tuple]]:
        """The calls that apply the layer: ``Dense(...)(x)`` inline, ``head(x)`` for a local
        ``head = Dense(...)``, ``self.fc(x)`` anywhere in the class for ``self.fc = Dense(...)``."""
        call, anc = site.call, site.ancestors
        parent = anc[-1] if anc else None
        if isinstance(parent, cst.Call) and parent.func is call:
            return [(parent, anc[:-1])]
        if not (isinstance(parent, cst.Assign) and parent.value is call and len(parent.targets) == 1):
            return []
        target = parent.targets[0].target
        out = []
        if isinstance(target, cst.Name):
            owner = next((a for a in reversed(anc) if isinstance(a, (cst.FunctionDef, cst.Module))), None)
            for s in self.facts.calls:
                if isinstance(s.call.func, cst.Name) and s.call.func.value == target.value \
                        and any(a is owner for a in s.ancestors):
                    out.append((s.call, s.ancestors))
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            owner = next((a for a in reversed(anc) if isinstance(a, cst.ClassDef)), None)
            attr = target.attr.value
            for s in self.facts.calls:
                f = s.call.func
                if isinstance(f, cst.Attribute) and f.attr.value == attr and isinstance(f.value, cst.Name) \
                        and f.value.value == "self" and any(a is owner for a in s.ancestors):
                    out.append((s.call, s.ancestors))
        return out

    def _follow(self, node: cst.BaseExpression, anc: tuple, scope: Scope) -> Flow:
        flow = Flow()
        for _ in range(_MAX_FLOW):
            use = _next_use(node, anc)
            if use is None:
                return flow
            kind, consumer, consumer_anc = use
            if kind == "return":
                fn = next((a for a in reversed(anc) if isinstance(a, cst.FunctionDef)), None)
                flow.returned = fn.name.value if fn is not None else "<module>"
                return flow
            bound = self._applied_value(consumer, consumer_anc)
            if isinstance(bound, cst.Call):
                act = self.t.activation_layer(bound, self.t.qualnames(bound.func, scope), scope, self)
            else:
                act = self.activation(bound if bound is not None else consumer.func, scope)
            if act is not None:
                flow.acts.append(act)
                node, anc = consumer, consumer_anc
                continue
            quals = self.t.qualnames(consumer.func, scope)
            if quals & K.SPLIT_FUNCTIONS:
                parent = consumer_anc[-1] if consumer_anc else None
                if isinstance(parent, cst.Assign) and len(parent.targets) == 1 \
                        and isinstance(parent.targets[0].target, (cst.Tuple, cst.List)):
                    flow.split_names = tuple(
                        e.value.value for e in parent.targets[0].target.elements if isinstance(e.value, cst.Name))
                return flow
            if isinstance(bound, cst.Call):
                ctor_quals = self.t.qualnames(bound.func, scope)
                if self.t.is_passthrough(ctor_quals):
                    node, anc = consumer, consumer_anc
                    continue
                if self.t.layer(ctor_quals) is not None or id(bound) in self._ctor_events:
                    flow.next_layer = bound
            return flow
        return flow

    def _applied_value(self, consumer: cst.Call, anc: tuple) -> Optional[cst.BaseExpression]:
        """What ``consumer`` calls, when it calls a layer or activation object: the constructor
        in ``Dense(...)(x)``, the value of ``self.fc2`` (``self.fc2 = Dense(...)``, or
        ``self.act = tf.nn.relu``) or of a local ``fc2``. None for a plain function call."""
        func = consumer.func
        if isinstance(func, cst.Call):
            return func
        fn_node = next((a for a in reversed(anc) if isinstance(a, cst.FunctionDef)), None)
        info = self.facts.function_of(fn_node) if fn_node is not None else None
        if isinstance(func, cst.Name) and info is not None:
            return info.values.get(func.value)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self" \
                and info is not None and info.cls is not None:
            return info.cls.attrs.get(func.attr.value)
        return None

    # -- intent -------------------------------------------------------------------------------
    def _idiom(self, c: Candidate, flows: list[Flow]) -> Optional[str]:
        """Why this constant kernel is deliberate, from what this module can see: a guard
        whose name says zero, an output-projection keyword, the layer's name or the name it is
        stored under, an output width (``num_classes``), an output split into modulation
        chunks, or a layer that is the last of its block. ``""`` (checked: no intent) when the
        only signal would be a class name that says zero while the file uses that class as a
        hidden layer. None leaves the generic signals (function/class names, ``if`` guards)
        to the judge."""
        if c.value.guard:
            return f"guarded by `{c.value.guard}`"
        if c.keyword in K.OUTPUT_KERNEL_KEYWORDS:
            return f"`{c.keyword}` initialises only the output projection, the end of a residual branch"
        reason = intent.target_reason(c.names)
        if reason:
            return reason
        for w in c.widths:
            for tok in intent.tokens(w):
                if tok in K.OUTPUT_WIDTH_TOKENS:
                    return f"its width is `{w}`: {K.OUTPUT_WIDTH_TOKENS[tok]}"
        reason = intent.target_reason(c.widths)
        if reason:
            return f"its width {reason}"
        for flow in flows:
            if any(t in K.MODULATION_TOKENS for n in flow.split_names for t in intent.tokens(n)):
                return (f"its output is split into `{', '.join(flow.split_names)}`: an adaLN-Zero / FiLM "
                        f"modulation that starts as the identity")
        for flow in flows:
            if flow.last_in:
                return f"the last layer of `{flow.last_in}`"
            if flow.returned in _MODULE_OUTPUT_METHODS and c.cls is not None:
                return f"its output is what `{c.cls.name}.{flow.returned}` returns: the last layer of the module"
        if c.cls is not None and intent.says_zero(c.cls.name) and self.used_as_hidden_layer(c.cls):
            return ""
        return None

    def used_as_hidden_layer(self, cls: ClassInfo) -> bool:
        """The file puts this class before another weight layer (``Sequential([ZeroLayer(),
        Dense(1)])`` or ``x = ZeroLayer()(x); x = Dense(1)(x)``): a hidden layer of a plain
        chain, where no zero-init idiom applies, whatever the class is called."""
        for s in self.facts.calls:
            if isinstance(s.call.func, cst.Name) and s.call.func.value == cls.name and not s.scope.resolve_head(cls.name):
                for flow in self.flows(s):
                    if flow.next_layer is not None:
                        return True
        return False


# -- helpers ----------------------------------------------------------------------------------

def _killing(chain: list) -> Optional[A.Activation]:
    """The first activation with φ'(0) = 0 that still sees a zero input."""
    for act in chain:
        if act.kills_gradient_at_zero:
            return act
        if act.phi0 != 0:
            return None
    return None


def _bias_words(state: str) -> str:
    return {"none": "no bias", "default": "the default zero bias", "zero": "a zero bias",
            "negative": "a negative constant bias"}.get(state, "its bias")


def _name_kwarg(call: cst.Call) -> Optional[str]:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "name":
            text = string_value(a.value)
            if text is not None:
                return text
            if isinstance(a.value, cst.FormattedString):
                return "".join(p.value for p in a.value.parts if isinstance(p, cst.FormattedStringText)) or None
    return None


def _width_names(call: cst.Call) -> list[str]:
    """Identifiers in a layer's width argument: ``self.num_classes`` → ``num_classes``."""
    expr = None
    for a in call.args:
        if a.keyword is not None and a.keyword.value in K.WIDTH_KEYWORDS:
            expr = a.value
            break
    if expr is None:
        pos = positional(call)
        expr = pos[0].value if pos else None
    return _names_in(expr) if expr is not None else []


def _names_in(expr: cst.BaseExpression) -> list[str]:
    out: list[str] = []

    class _V(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value not in ("self", "cls", "config", "cfg"):
                out.append(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> None:
            out.append(node.attr.value)

    expr.visit(_V())
    return out


def assigned_names(ancestors: tuple, node: cst.CSTNode) -> list[str]:
    """Names the layer (or its output) is stored under: ``self.head = ...``, ``logits = ...``,
    ``out["logits"] = ...``."""
    out: list[str] = []
    for anc in reversed(ancestors):
        if isinstance(anc, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in anc.targets] if isinstance(anc, cst.Assign) else [anc.target]
            for t in targets:
                if isinstance(t, cst.Name):
                    out.append(t.value)
                elif isinstance(t, cst.Attribute):
                    out.append(t.attr.value)
                elif isinstance(t, cst.Subscript) and len(t.slice) == 1 and isinstance(t.slice[0].slice, cst.Index):
                    key = string_value(t.slice[0].slice.value)
                    if key:
                        out.append(key)
            return out
        if isinstance(anc, (cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return out
    return out


def _mentions(stmt: cst.CSTNode, names: set) -> bool:
    text = source_of(stmt)
    return any(re.search(rf"\b{re.escape(n)}\b", text) for n in names)


def _next_use(node: cst.BaseExpression, anc: tuple):
    """The first operation that consumes ``node``'s value: ("call", call, its ancestors) when
    it is the first argument of a call (directly, or through a variable read by a later
    statement of the same block), ("return", None, None) when it is returned, else None."""
    if not anc:
        return None
    parent = anc[-1]
    if isinstance(parent, cst.Arg) and len(anc) >= 2 and isinstance(anc[-2], cst.Call):
        call = anc[-2]
        pos = positional(call)
        if pos and pos[0] is parent and call.func is not node:
            return "call", call, anc[:-2]
        return None
    if isinstance(parent, cst.Return):
        return "return", None, None
    if isinstance(parent, cst.Assign) and parent.value is node and len(anc) >= 3:
        names = {t.target.value for t in parent.targets if isinstance(t.target, cst.Name)}
        stmt, block = anc[-2], anc[-3]
        if not names or not isinstance(stmt, cst.SimpleStatementLine) or not hasattr(block, "body"):
            return None
        body = list(block.body)
        index = next((i for i, s in enumerate(body) if s is stmt), None)
        if index is None:
            return None
        for later in body[index + 1:]:
            if not _mentions(later, names):
                continue
            if isinstance(later, cst.SimpleStatementLine) and len(later.body) == 1:
                small = later.body[0]
                if isinstance(small, cst.Return) and isinstance(small.value, cst.Name) and small.value.value in names:
                    return "return", None, None
                value = getattr(small, "value", None) if isinstance(small, (cst.Assign, cst.Expr, cst.Return)) else None
                if isinstance(value, cst.Call):
                    pos = positional(value)
                    if pos and isinstance(pos[0].value, cst.Name) and pos[0].value.value in names:
                        return "call", value, anc[:-2] + (later, small)
            return None
    return None


# -- custom parameters: roles from name and shape --------------------------------------------

_STATE_NAME = re.compile(K.STATE_NAME_PATTERN, re.I)


def parameter_is_weight(name: Optional[str], ndim: Optional[int]) -> bool:
    """Whether a parameter made by ``add_weight``/``self.param``/``hk.get_parameter`` is a
    weight whose units can be interchangeable. Names decide what is constant by design (bias,
    norm scale, token, position embedding, state); a literal shape decides the rest (2-D and
    up is a weight, 0-D/1-D is not); a name like ``kernel``/``w``/``embeddings`` decides when
    the shape is not literal."""
    if name:
        if set(intent.tokens(name)) & K.ADDITIVE_TOKENS or _STATE_NAME.match(name):
            return False
        if name_role(name) in (BIAS, SCALAR):
            return False
    if ndim is not None:
        return ndim >= 2
    return bool(name) and name_role(name) == WEIGHT


def literal_ndim(expr: Optional[cst.BaseExpression]) -> Optional[int]:
    if isinstance(expr, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return None
        return len(expr.elements)
    if isinstance(expr, cst.Integer):
        return 1
    return None


def bind_arguments(call: cst.Call, layout: tuple, keywords: tuple) -> dict:
    """A layer call's arguments by parameter name, from its positional ``layout`` and ``keywords``."""
    out: dict = {}
    for i, a in enumerate(positional(call)):
        if i < len(layout):
            out[layout[i]] = a.value
    for a in call.args:
        if a.keyword is not None and a.keyword.value in keywords:
            out[a.keyword.value] = a.value
    return out
