"""One libcst pass over a module: scopes, bindings, classes, and the calls worth judging.

Nothing is judged here. The pass records, for every call that could be an init, its
ancestors (to read loops, guards and enclosing functions later) and its scope (to resolve
names against the import table once every binding of the file is known).
"""

from __future__ import annotations

import builtins
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from initlint.knowledge import torch as T
from initlint.lint.model.scopes import Scope, bind_import, bind_target, dotted_name, last_name

_BUILTINS = frozenset(dir(builtins))


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    name: str
    #: ``self.<attr> = <value>`` anywhere in the class's methods (last one wins), with the
    #: scope of the method that assigns it (where the value's names are read).
    attrs: dict[str, tuple[cst.BaseExpression, Scope]] = field(default_factory=dict)
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    scope: Optional[Scope] = None
    #: ``self.register_buffer("name", ...)``: tensors that are state, never trained
    buffers: set[str] = field(default_factory=set)

    def attr(self, name: str) -> Optional[cst.BaseExpression]:
        """The value ``self.<name>`` was last assigned, or a class-body default."""
        if name in self.attrs:
            return self.attrs[name][0]
        return self.scope.values.get(name) if self.scope is not None else None


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    name: str
    params: list[str]
    scope: Scope
    cls: Optional[ClassInfo]  # set for a method defined directly in a class body

    @property
    def values(self) -> dict[str, cst.BaseExpression]:
        """``name = <value>`` in the function body (last one wins)."""
        return self.scope.values


@dataclass(frozen=True)
class CallSite:
    call: cst.Call
    ancestors: tuple  # outermost first, the call's parent last
    scope: Scope


@dataclass
class ModuleFacts:
    module: cst.Module
    module_scope: Scope
    calls: list[CallSite]
    data_assigns: list[tuple[cst.Assign, tuple, Scope]]
    classes: dict[int, ClassInfo]
    functions: dict[int, FunctionInfo]
    #: names of functions handed to .apply()/named_apply() -> (the module they are applied to, scope)
    applied: dict[str, list]
    functions_by_name: dict[str, list[FunctionInfo]]
    ordinals: dict[int, tuple]
    counts: dict[str, int]

    @property
    def module_values(self) -> dict[str, cst.BaseExpression]:
        return self.module_scope.values

    def function_of(self, node: cst.CSTNode) -> Optional[FunctionInfo]:
        return self.functions.get(id(node))

    def class_of(self, node: cst.CSTNode) -> Optional[ClassInfo]:
        return self.classes.get(id(node))


def _is_interesting_call(call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value not in _BUILTINS
    return isinstance(func, (cst.Attribute, cst.Subscript))  # self.blocks[1](x) applies a layer


class Collector:
    """Records facts; never reports."""

    def __init__(self, module: cst.Module):
        self.module = module
        self.stack: list[cst.CSTNode] = []
        self.scope = Scope(module, "module", None)
        self.module_scope = self.scope
        self.scope_stack: list[Scope] = [self.scope]
        self.calls: list[CallSite] = []
        self.data_assigns: list[tuple] = []
        self.classes: dict[int, ClassInfo] = {}
        self.functions: dict[int, FunctionInfo] = {}
        self.class_stack: list[ClassInfo] = []
        self.func_stack: list[FunctionInfo] = []
        self.applied: dict[str, list] = {}
        self.ordinals: dict[int, tuple] = {}  # id(node) -> (kind, n): the n-th Call/Assign in source order
        self._counts = {"Call": 0, "Assign": 0}

    # -- traversal ------------------------------------------------------------------------
    def walk(self, node: cst.CSTNode) -> None:
        """Pre-order, in source order; ``self.stack`` holds the ancestors during visit_X."""
        visit, leave, fields = _plan(type(node))
        handler = getattr(self, visit, None)
        if handler is not None:
            handler(node)
        if fields:
            self.stack.append(node)
            for name in fields:
                value = getattr(node, name)
                kind = type(value)
                if kind is tuple or kind is list:
                    for item in value:
                        if _IS_NODE[type(item)]:
                            self.walk(item)
                elif _IS_NODE[kind]:
                    self.walk(value)
            self.stack.pop()
        handler = getattr(self, leave, None)
        if handler is not None:
            handler(node)

    def _push_scope(self, node: cst.CSTNode, kind: str) -> Scope:
        scope = Scope(node, kind, self.scope)
        self.scope_stack.append(scope)
        self.scope = scope
        return scope

    def _pop_scope(self) -> None:
        self.scope_stack.pop()
        self.scope = self.scope_stack[-1]

    # -- scopes --------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.bind(node.name.value)
        info = ClassInfo(node, node.name.value)
        self.classes[id(node)] = info
        self.class_stack.append(info)
        info.scope = self._push_scope(node, "class")
        info.scope.cls = info

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop_scope()
        self.class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.bind(node.name.value)
        cls = self.class_stack[-1] if self.class_stack and self.stack and \
            self._directly_in_class(self.class_stack[-1]) else None
        scope = self._push_scope(node, "function")
        params = _param_names(node.params)
        for p in params:
            scope.bind(p)
        scope.params.update(params)
        info = FunctionInfo(node, node.name.value, params, scope, cls)
        scope.function = info
        self.functions[id(node)] = info
        self.func_stack.append(info)
        if cls is not None:
            cls.methods[node.name.value] = node

    def _directly_in_class(self, cls: ClassInfo) -> bool:
        # The parent chain from the class to here holds no other function.
        for anc in reversed(self.stack):
            if anc is cls.node:
                return True
            if isinstance(anc, (cst.FunctionDef, cst.Lambda)):
                return False
        return False

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop_scope()
        self.func_stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        scope = self._push_scope(node, "lambda")
        for p in _param_names(node.params):
            scope.bind(p)
            scope.params.add(p)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._pop_scope()

    # -- bindings ------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        bind_import(self.scope, node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        bind_import(self.scope, node)

    def visit_Assign(self, node: cst.Assign) -> None:
        self.ordinals[id(node)] = ("Assign", self._counts["Assign"])
        self._counts["Assign"] += 1
        for t in node.targets:
            bind_target(self.scope, t.target)
            self._record_value(t.target, node.value)
            if isinstance(t.target, cst.Attribute) and t.target.attr.value == "data":
                self.data_assigns.append((node, tuple(self.stack), self.scope))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        bind_target(self.scope, node.target)
        if node.value is not None:
            self._record_value(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        bind_target(self.scope, node.target)

    def visit_For(self, node: cst.For) -> None:
        bind_target(self.scope, node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            bind_target(self.scope, node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            bind_target(self.scope, node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        bind_target(self.scope, node.target)

    def _record_value(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            if self.scope.kind != "lambda":
                self.scope.values[target.value] = value
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) \
                and target.value.value == "self":
            cls = self.scope.enclosing_class() if self.scope.kind == "function" else None
            if cls is not None:
                cls.attrs[target.attr.value] = (value, self.scope)
                if isinstance(value, cst.Call) and last_name(value.func) in T.BUFFER_MAKERS:
                    cls.buffers.add(target.attr.value)

    # -- calls ---------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.ordinals[id(node)] = ("Call", self._counts["Call"])
        self._counts["Call"] += 1
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "apply" and node.args:
            self._record_applied(node.args[0].value, func.value)
        elif isinstance(func, cst.Name) and func.value == "named_apply" and node.args:
            self._record_applied(node.args[0].value, node.args[1].value if len(node.args) > 1 else None)
        if isinstance(func, cst.Attribute) and func.attr.value == "register_buffer" and node.args:
            name = node.args[0].value
            cls = self.scope.enclosing_class()
            if cls is not None and isinstance(name, cst.SimpleString):
                cls.buffers.add(name.evaluated_value)
        if _is_interesting_call(node):
            self.calls.append(CallSite(node, tuple(self.stack), self.scope))

    def _record_applied(self, arg: cst.BaseExpression, receiver: Optional[cst.BaseExpression]) -> None:
        if isinstance(arg, cst.Call) and arg.args:  # partial(fn, ...)
            name = dotted_name(arg.func) or ""
            if name.split(".")[-1] == "partial":
                arg = arg.args[0].value
        name = dotted_name(arg)
        if name:
            self.applied.setdefault(name.split(".")[-1], []).append((receiver, self.scope))

    def facts(self) -> ModuleFacts:
        by_name: dict[str, list[FunctionInfo]] = {}
        for f in self.functions.values():
            by_name.setdefault(f.name, []).append(f)
        return ModuleFacts(
            self.module, self.module_scope, self.calls, self.data_assigns, self.classes,
            self.functions, self.applied, by_name, self.ordinals, dict(self._counts),
        )


def _param_names(params: cst.Parameters) -> list[str]:
    out = [p.name.value for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg.name.value)
    out += [p.name.value for p in params.kwonly_params]
    if params.star_kwarg is not None:
        out.append(params.star_kwarg.name.value)
    return out


#: Fields that hold no code (whitespace, punctuation, names that are plain identifiers).
_SKIP_FIELD = re.compile(
    r"^(whitespace.*|lpar|rpar|lbrace|rbrace|lbracket|rbracket|comma|colon|first_colon|second_colon|"
    r"semicolon|dot|equal|leading_lines|lines_after_decorators|header|footer|trailing_whitespace|"
    r"newline|indent|operator|star|asynchronous|empty_lines|encoding|default_indent|default_newline|"
    r"has_trailing_newline|comment|separator|conversion|relative|trailing_comma|posonly_ind|keyword|"
    r"attr|annotation|returns|type_parameters|start|end)$")
#: Source order where a node's dataclass field order differs from it.
_FIELD_ORDER = {
    cst.FunctionDef: ("decorators", "params", "body"),
    cst.ClassDef: ("decorators", "bases", "keywords", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.Parameters: ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.Param: ("default",),
    cst.ExceptHandler: ("type", "body"),
    cst.MatchCase: ("pattern", "guard", "body"),
}
#: Nodes whose children never matter to the collector.
_LEAVES = (cst.Import, cst.ImportFrom, cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)
_PLANS: dict = {}


class _NodeTypes(dict):
    """type -> is it a libcst node: a dict lookup (``isinstance`` on libcst's abstract base
    class goes through ``ABCMeta.__instancecheck__``, on every field of every node)."""

    def __missing__(self, kind: type) -> bool:
        self[kind] = is_node = issubclass(kind, cst.CSTNode)
        return is_node


_IS_NODE = _NodeTypes()


def _plan(cls: type) -> tuple:
    """(visit method name, leave method name, child fields) for a node class, computed once."""
    plan = _PLANS.get(cls)
    if plan is None:
        if issubclass(cls, _LEAVES):
            fields: tuple = ()
        else:
            fields = _FIELD_ORDER.get(cls) or tuple(
                f.name for f in dataclasses.fields(cls) if not _SKIP_FIELD.match(f.name))
        name = cls.__name__
        plan = _PLANS[cls] = (f"visit_{name}", f"leave_{name}", fields)
    return plan


def children(node: cst.CSTNode) -> list:
    """The child nodes of ``node`` that can hold code, in source order."""
    out: list = []
    for name in _plan(type(node))[2]:
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            out.extend(item for item in value if _IS_NODE[type(item)])
        elif _IS_NODE[kind]:
            out.append(value)
    return out


def collect(module: cst.Module) -> ModuleFacts:
    """One walk of the tree with our own traversal: libcst's visitor machinery rebuilds every
    node it passes (whitespace included) and costs several times the parse."""
    collector = Collector(module)
    collector.walk(module)
    return collector.facts()
