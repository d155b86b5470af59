"""The libcst pass: source → findings. One parse, one collecting visit, then judgement.

Positions are computed only when there is something to report (PositionProvider costs a
second walk of the tree), on the very nodes the collector saw (``unsafe_skip_copy``).
"""

from __future__ import annotations

import ast
import contextlib
from typing import Iterator

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from initlint import knowledge
from initlint.finding import Finding, Settings
from initlint.knowledge.naming import COMMENT_REACH, comment_reason
from initlint.lint import frameworks
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.gate.reduce import Reduced
from initlint.lint.gate.textlines import physical_lines
from initlint.lint.judge.judge import Judge, Verdict
from initlint.lint.judge.messages import recognised
from initlint.lint.model.collect import ModuleFacts, collect
from initlint.lint.model.resolve import Resolver


def analyze(source: "str | Reduced", path: str, settings: Settings) -> "list[Finding]":
    """All findings of one file, idioms included (the engine hides those unless strict).
    ``source`` is a whole file, or what ``reduce`` kept of one (lines are mapped back)."""
    numbers = None
    if isinstance(source, Reduced):
        source, numbers = source.source, source.line_numbers
    with _trusting_parser():
        module = cst.parse_module(source)
    facts, judged = judge_module(module, path, settings)
    verdicts = [v for _, v in judged]
    if not verdicts:
        return []
    lines = physical_lines(source)
    where = node_positions(module, source, facts, [v.node for v in verdicts], lines)
    out = []
    for v in verdicts:
        line, col = where[id(v.node)]
        idiom = v.idiom
        if idiom is None and v.code in ("INI001", "INI002") and v.names_count:
            idiom = comment_reason(*_comment_window(lines, line, numbers))
        message = recognised(v.message) if idiom else v.message  # (no advice to say what it says)
        out.append(Finding(path, numbers[line - 1] if numbers else line, col, v.code, message, idiom))
    return sorted(out)


def judge_module(module: cst.Module, path: str, settings: Settings) -> "tuple[ModuleFacts, list[tuple[InitEvent, Verdict]]]":
    """The facts of a parsed module and each verdict with the event it judged, one per
    reported node, in event order. ``initlint.fix`` reads the events to know what to edit."""
    facts = collect(module)
    # A wrapper of a known function is an alias of it; any other wrapper mirrors a module.
    functions = {w: c for w, c in settings.init_wrappers if knowledge.init_function(c) is not None}
    wrappers = {w: c for w, c in settings.init_wrappers if knowledge.init_function(c) is None}
    resolver = Resolver(wrappers, functions)
    found = frameworks.events(facts, resolver)
    judge = Judge(facts, resolver, found, tuple(settings.intent_names), path)
    judged = []
    seen: set[int] = set()
    for ev in found:
        v = judge.judge(ev)
        if v is not None and id(v.node) not in seen:
            seen.add(id(v.node))
            judged.append((ev, v))
    return facts, judged


def node_positions(module: cst.Module, source: str, facts: ModuleFacts, nodes: list,
                   lines: "list | None" = None) -> "dict[int, tuple[int, int]]":
    """``id(node) -> (line, column)`` (1-based line, 0-based column in characters) of
    reported Calls/Assigns of ``module``, parsed from ``source``: from the stdlib ast when it
    can place them all, else from libcst's PositionProvider (a walk of the whole tree)."""
    where = _ast_positions(source, lines if lines is not None else physical_lines(source), facts, nodes)
    if where is None:  # a node the ordinal map cannot place: let libcst compute positions
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        where = {id(n): (positions[n].start.line, positions[n].start.column) for n in nodes}
    return where


def _comment_window(lines: list, line: int, numbers) -> "tuple[list, int]":
    """``comment_reason``'s arguments: with kept lines only, the ones whose original number
    is within its reach above ``line`` (a comment far above must not move closer)."""
    if not numbers:
        return lines, line
    first = line - 1
    while first > 0 and numbers[first - 1] >= numbers[line - 1] - COMMENT_REACH:
        first -= 1
    return lines[first:line], line - first


@contextlib.contextmanager
def _trusting_parser() -> Iterator[None]:
    """libcst validates every node it builds, in Python (a third of the parse; libcst's own
    comment in ``CSTNode.__post_init__`` says the check belongs elsewhere). Nodes its parser
    makes from source are valid by construction, so the check is skipped while parsing,
    if ``__post_init__`` is still the plain call to ``_validate`` that this expects."""
    node = cst.CSTNode
    original = node.__dict__.get("__post_init__")
    if original is None or original.__code__.co_names != ("_validate",):
        yield
        return
    node.__post_init__ = _no_validation  # type: ignore[method-assign]
    try:
        yield
    finally:
        node.__post_init__ = original  # type: ignore[method-assign]


def _no_validation(self) -> None:
    pass


def _ast_positions(source: str, lines: list, facts, nodes: list) -> "dict[int, tuple[int, int]] | None":
    """Positions of reported Calls/Assigns from the stdlib ast, matched by their rank in
    source order (libcst's PositionProvider regenerates the whole file to find them)."""
    if any(id(n) not in facts.ordinals for n in nodes):
        return None
    found: dict[str, list] = {"Call": [], "Assign": []}
    for node in ast.walk(ast.parse(source)):
        kind = type(node).__name__
        if kind in found:
            found[kind].append(node)
    if any(len(found[k]) != facts.counts[k] for k in found):
        return None
    for k in found:
        found[k].sort(key=lambda n: (n.lineno, n.col_offset, -n.end_lineno, -n.end_col_offset))
    out = {}
    for n in nodes:
        kind, rank = facts.ordinals[id(n)]
        a = found[kind][rank]
        text = lines[a.lineno - 1]
        col = len(text.encode("utf-8")[: a.col_offset].decode("utf-8", "replace"))
        head = _head(n)
        if head and not text[col:].startswith(head):
            return None  # the ranks disagree: never guess a position
        out[id(n)] = (a.lineno, col)
    return out


def _head(node) -> str:
    """The first identifier of a Call's callee or an Assign's first target."""
    expr = node.func if isinstance(node, cst.Call) else node.targets[0].target
    while isinstance(expr, (cst.Attribute, cst.Call, cst.Subscript)):
        expr = expr.value if not isinstance(expr, cst.Call) else expr.func
    return expr.value if isinstance(expr, cst.Name) else ""
