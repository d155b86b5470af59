"""The reduction: what libcst must see of a file, decided statement by statement on the
stdlib ``ast`` (libcst's time grows with every line, blank ones included).

The contract with the judge, which ``tests/test_prefilter_and_reduction.py``,
``tests/test_equivalence_real.py`` and ``benchmarks/equivalence.py`` check against the
whole-file analysis:

- a *candidate* (a statement that can set a weight to a constant, by the knowledge tables'
  callees and keywords, or a call to the file's own zeroing helpers; an array factory only
  where a producer reads it as a weight's value) is kept with the headers
  of the statements around it and the comment lines just above it;
- a function that holds a candidate is kept whole (its simple statements say where a layer's
  output goes), and so is module-level code;
- in a class that holds a candidate: its constructors' assignments (what the layers are), its
  forward methods whole, with every method they call on ``self`` (how the layers are wired),
  and in every other method its candidates, its ``self.x = ...`` assignments and its
  *context* statements;
- context statements (a later random init, a partial write, a bias init, ``.apply(fn)``) are
  kept wherever they are, when the file has a candidate: the judge reads them (dead stores,
  placeholders, chosen biases);
- everything else is dropped: a dropped definition leaves ``name = None`` where its name could
  shadow an import (else ``pass``), any other dropped statement leaves ``pass``.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from typing import Callable, NamedTuple, Optional

from initlint import knowledge
from initlint.finding import Settings
from initlint.knowledge.naming import COMMENT_REACH
from initlint.lint.gate.guard import MAX_DEPTH, SourceError, check_depth, check_depth_header, parse, parse_guarded
from initlint.lint.gate.prefilter import Scanner, context_pattern, names_pattern, parameter_pattern, pattern
from initlint.lint.gate.regions import SELF_CALL, Skipped, blank_unneeded, called_at_top, named_by_candidates
from initlint.lint.gate.textlines import line_ending, line_starts, physical_lines
from initlint.lint.model.paths import ANY_INDEX, SAME_STORAGE, SLICE_PART, Path, may_be_weight

__all__ = ["Reduced", "SourceError", "reduce"]


class Reduced(NamedTuple):
    """What libcst sees: the kept lines of a file, and the original number of each."""

    source: str
    line_numbers: "tuple[int, ...]"  # the file's line number of each line of ``source``


def reduce(text: str, path: str, settings: Settings, tree: Optional[ast.Module] = None) -> Optional[Reduced]:
    """The source to hand to libcst, or None when nothing can matter. ``tree``: ``text``
    already parsed by ``ast`` (flake8 hands its plugins one), saving the parse. Raises
    :class:`SourceError` for a file that does not parse or nests too deeply."""
    wrappers = tuple(w for w, _ in settings.init_wrappers)
    lines = physical_lines(text)
    reducer = _Reducer(text, lines, pattern(wrappers))
    reducer.named = named_by_candidates(text, reducer.starts, reducer.marked)
    skipped: "list[Skipped]" = []
    if tree is None:
        tree, skipped = _parse(text, path, reducer)
        for d in reversed(skipped):
            if d.owner:
                reducer.first_blanked[d.owner] = d.first
    reducer.tree, reducer.skipped = tree, skipped
    reducer.imports = _module_imports(tree.body)
    # what may report has a candidate word (the prefilter's contract): the survey needs no
    # context words, which are searched for only in a file where something may report
    reducer.helpers = _survey(tree, reducer) | {w.rsplit(".", 1)[-1] for w, _ in settings.init_wrappers}
    if reducer.helpers:  # calls to the file's own init helpers are candidates too
        reducer.count_hits(names_pattern(tuple(sorted(reducer.helpers))), _CANDIDATE_WORD | _HELPER_NAME)
        if any(reducer.may_hold_candidate(d.first, d.last) for d in skipped):
            return reduce(text, path, settings, parse_guarded(text, path))  # a skipped def calls one
        _survey(tree, reducer, again=True)  # a function that calls a helper may report
        reducer.any_candidate = reducer.any_candidate or _any_candidate(tree.body, reducer)
    if not reducer.any_candidate:
        return None
    # the classes whose wiring the judge reads for a candidate's layer, now that the ast says
    # which candidates may report (the text named them for every candidate word)
    reducer.named = named_by_candidates(text, reducer.starts, _reportable_lines(tree, reducer))
    reducer.mark_context(skipped)
    reducer.block(tree.body, context=_MODULE)
    for d in skipped:  # the stubs _drop leaves for a dropped definition (a member's, if its class stays)
        if not d.owner or reducer.keep[d.owner]:
            reducer.replace[d.first] = d.indent + reducer.stub(d.name)
    if not reducer.found:
        return None
    return reducer.render()


def _parse(text: str, path: str, reducer: "_Reducer") -> "tuple[ast.Module, list[Skipped]]":
    """The file's ast without the definitions that cannot report (most of a model file;
    see ``regions``), or the whole file's ast when in doubt."""
    fills = _placeholder_fillers(text, reducer.starts)
    needed = reducer.may_hold_candidate if fills is None else (
        lambda first, last: reducer.may_hold_candidate(first, last) or fills(first, last))
    context, starts = context_pattern(), reducer.starts
    blanked = blank_unneeded(text, starts, needed, knowledge.context_methods(), reducer.named,
                             lambda first, last: context.search(text, starts[first - 1], starts[last]))
    if blanked is not None:
        source, skipped = blanked
        try:
            tree = parse(source, path)
        except (SyntaxError, ValueError, RecursionError):
            tree = None  # the whole file's parse says what is wrong, or that blanking was
        if tree is not None and not _inside_a_statement(tree, skipped):
            return tree, skipped
    return parse_guarded(text, path), []


#: ``self.weight = nn.`` before ``Parameter(``: the attribute a Parameter is bound to.
_BOUND_ATTRIBUTE = re.compile(r"\.\s*(\w+)\s*(?::[^=\n]*)?=\s*(?:[\w.\s]*\.\s*)?$")


def _placeholder_fillers(text: str, starts: "list[int]") -> "Optional[Callable[[int, int], bool]]":
    """Whether a span may fill a Parameter of the file (``init.normal_(module.weight)`` in
    transformers' ``_init_weights``, beside ``self.weight = nn.Parameter(torch.zeros(...))``):
    such a definition has no candidate word but decides whether the constant is a
    placeholder, so it is not blanked. None when the file binds no Parameter to an attribute."""
    names = set()
    for at in parameter_pattern().positions(text):
        m = _BOUND_ATTRIBUTE.search(text, text.rfind("\n", 0, at) + 1, at)
        if m:
            names.add(m.group(1))
    if not names:
        return None
    named = re.compile(r"\.\s*(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")
    context = context_pattern()

    def fills(first: int, last: int) -> bool:
        lo, hi = starts[first - 1], starts[last]
        return named.search(text, lo, hi) is not None and context.search(text, lo, hi)

    return fills


def _inside_a_statement(tree: ast.Module, skipped: "list[Skipped]") -> bool:
    """A 'definition' that a parsed statement of its block spans was text in a string (a
    docstring line such as "class name says zero"): the text alone was fooled."""
    blocks = {0: tree.body}
    blocks.update((_start(n), n.body) for n in tree.body if isinstance(n, ast.ClassDef))
    firsts = {owner: [node.lineno for node in body] for owner, body in blocks.items()}
    for d in skipped:
        body = blocks.get(d.owner)
        if body is None:
            return True  # its class did not parse as a class
        i = bisect.bisect_right(firsts[d.owner], d.first) - 1
        if i >= 0 and (body[i].end_lineno or body[i].lineno) >= d.first:
            return True
    return False


# Contexts: what a block keeps besides its candidates and context statements.
_MODULE = "module"  # every simple statement but long literals
_FUNCTION = "function"  # every simple statement
_FORWARD = "forward"  # every simple statement (a forward method and what it calls on self)
_CONSTRUCTOR = "constructor"  # assignments
_CALLBACK = "callback"  # bindings with plain names (``std = ...``, ``layers = [...]``) and self.x ones
_REMOTE = "remote"  # no candidate around: only inits of a placeholder Parameter's name
_MEMBER = "member"  # self.x assignments
_NONE = ""  # candidates and context statements only


_CANDIDATE_WORD, _CONTEXT_WORD, _HELPER_NAME = 1, 2, 4
#: Per line mark, 1 where it has any bit, the candidate bit, the helper bit (``bytes.translate``
#: tables: prefix sums of marks are taken in C, a line at a time costs a Python call).
_ANY_MARK = bytes(1 if m else 0 for m in range(256))
_CANDIDATE_MARK = bytes(m & _CANDIDATE_WORD for m in range(256))
_HELPER_MARK = bytes(1 if m & _HELPER_NAME else 0 for m in range(256))
_LONG_SKIP = 500  # characters of a blanked definition worth a search of their own to skip


class _Reducer:
    """Decides, statement by statement, what libcst must see (see the module docstring)."""

    def __init__(self, text: str, lines: "list[str]", scanner: Scanner):
        self.text = text
        self.lines = lines  # physical_lines(text)
        self.scanner = scanner
        self.import_names: set[str] = set()  # names bound by an import anywhere in the file
        self.keep = bytearray(len(lines) + 2)  # 1: keep the line as it is
        self.replace: dict[int, str] = {}  # first line of a dropped statement -> stub
        self.found = False
        self.any_candidate = False  # set by the survey: some statement of the file may report
        self.candidates = 0  # statements kept because they may report
        self.kept = 0  # statements kept for any reason
        self.helpers: set[str] = set()
        self._classes: Optional[frozenset] = None  # the names the file's class statements bind
        self._base_names: Optional[frozenset] = None  # see _bases
        self._answers: dict[tuple, bool] = {}  # can_report's, by statement and what it depended on
        self.reportable: set[str] = set()  # functions/methods holding a statement that may report
        #: attribute names of the constant Parameters that may be placeholders (``self.A_log =
        #: nn.Parameter(torch.zeros(...))``): a later init of ``<anything>.A_log`` supersedes them
        self.placeholders: set[str] = set()
        self.kinds: dict[int, _Kind] = {}  # id(def) -> what the judge needs of it
        self.tree: Optional[ast.Module] = None
        self.imports: dict[str, str] = {}  # name -> what a module-level import binds it to
        self.skipped: "list[Skipped]" = []  # the definitions blanked before parsing
        self._called: Optional[frozenset] = None  # names called at module level, and self.named
        self.named: frozenset = frozenset()  # classes whose wiring a candidate's layer lives in
        self.first_blanked: dict[int, int] = {}  # class's first line -> its first member blanked before parsing
        self.starts = line_starts(lines)
        #: per line: bit 1, a candidate word (``zeros_``, a helper's name); bit 2, a context word
        self.marked = bytearray(len(lines) + 1)
        self.count_hits(scanner)

    def mark_context(self, skipped: "list[Skipped]") -> None:
        """Mark the lines holding a context word, outside the definitions blanked before
        parsing (the judge never sees those). A short blanked definition is searched through
        (one search is cheaper than two) and its marks cleared after: it has no candidate
        word, so it has no mark to keep."""
        spans, lo = [], 0
        for d in skipped:
            start, end = self.starts[d.first - 1], self.starts[d.last]
            if end - start > _LONG_SKIP:
                spans.append((lo, start))
                lo = end
        spans.append((lo, len(self.text)))
        context_pattern().mark_lines(self.text, self.starts, self.marked, _CONTEXT_WORD, spans)
        for d in skipped:
            self.marked[d.first:d.last + 1] = bytes(d.last + 1 - d.first)
        self.hits = list(itertools.accumulate(self.marked.translate(_ANY_MARK)))

    def can_report(self, node: ast.stmt, applied: bool = False) -> bool:
        """``_can_report`` with what this file says: its helpers, its imports, and (``applied``)
        the functions that may report, for ``.apply(fn)``. The survey, the kinds and the walk
        ask of the same statements: each answer is kept while those sets stay as they are
        (they only grow, so their sizes say)."""
        key = (id(node), len(self.helpers), len(self.reportable) if applied else -1)
        known = self._answers.get(key)
        if known is None:
            known = self._answers[key] = _can_report(
                node, self.helpers, self.reportable if applied else frozenset(), self.imports)
        return known

    def called_at_top(self) -> "frozenset[str]":
        if self._called is None:
            definitions = sorted([_span(n) for n in self.tree.body if isinstance(n, _DEFS)] +
                                 [(d.first, d.last) for d in self.skipped if not d.owner])
            self._called = called_at_top(self.text, self.starts, definitions) | self.named
        return self._called

    def count_hits(self, scanner: Scanner, flag: int = _CANDIDATE_WORD) -> None:
        """Mark the lines where ``scanner``'s candidate words match, and sum the marks up:
        any span is then tested in O(1)."""
        scanner.mark_lines(self.text, self.starts, self.marked, flag)
        self.hits = list(itertools.accumulate(self.marked.translate(_ANY_MARK)))
        self.candidate_hits = list(itertools.accumulate(self.marked.translate(_CANDIDATE_MARK)))
        if flag & _HELPER_NAME:
            self.helper_hits = list(itertools.accumulate(self.marked.translate(_HELPER_MARK)))

    def names_helper(self, first: int, last: int) -> bool:
        """Whether any line of the span names one of the file's init helpers."""
        return self.helper_hits[min(last, len(self.lines))] - self.helper_hits[first - 1] > 0

    # -- helpers -------------------------------------------------------------------------
    def matches(self, first: int, last: int) -> bool:
        """Whether any line of the span holds a candidate or context word."""
        return self.hits[min(last, len(self.lines))] - self.hits[first - 1] > 0

    def may_hold_candidate(self, first: int, last: int) -> bool:
        """Whether any line of the span holds a candidate word: a definition without one is
        blanked before parsing (``regions``)."""
        return self.candidate_hits[min(last, len(self.lines))] - self.candidate_hits[first - 1] > 0

    def _keep(self, first: int, last: int) -> None:
        for i in range(first, last + 1):
            self.keep[i] = 1

    def _drop(self, node: ast.stmt, first: int) -> None:
        stub = self.stub(node.name) if isinstance(node, _DEFS) else "pass"
        if _blocks(node):  # a compound statement: what its children kept goes with it
            for line in range(first, (node.end_lineno or first) + 1):
                self.replace.pop(line, None)
                self.keep[line] = 0
        # (a simple statement never clears a kept line: `import pdb; pdb.set_trace()`)
        self.replace.setdefault(first, self._indent(first) + stub)

    def stub(self, name: str) -> str:
        """What a dropped definition leaves: ``name = None`` where its name could otherwise
        resolve to an import (it shadows it), else ``pass`` (the block stays valid)."""
        return f"{name} = None" if name in self.import_names or "*" in self.import_names else "pass"

    def _indent(self, line: int) -> str:
        """The line's own leading whitespace (tabs stay tabs)."""
        text = self.lines[line - 1]
        return text[: len(text) - len(text.lstrip(" \t\f"))]

    # -- the walk ------------------------------------------------------------------------
    def block(self, body: list, context: str) -> bool:
        """Process a block; returns whether anything in it was kept."""
        kept_any = False
        for node in body:
            if self.statement(node, context):
                kept_any = True
        return kept_any

    def statement(self, node: ast.stmt, context: str) -> bool:
        first, last = _span(node)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self._keep(first, last)
            return True
        body_blocks = _blocks(node)
        if isinstance(node, _DEFS) and context not in (_FUNCTION, _FORWARD) and (
                not self.matches(first, last) and not self._built_here(node) and not self._a_base(node)
                or context == _MODULE and self._atomic(node) and not self._needed(node)):
            self._drop(node, first)
            return False
        if not body_blocks or isinstance(node, ast.Match) or self._atomic(node):
            return self._simple(node, first, last, context)
        if isinstance(node, ast.ClassDef):
            return self._class(node, first)
        is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        if is_def:
            # a function holding a candidate is read whole (a per-module callback, its bindings);
            # so is one defined in a forward
            inner = self._function_context(node) or (context if context in (_FUNCTION, _FORWARD) else _REMOTE)
        else:
            inner = context
        kept_before = self.kept
        results = [(kind, b, self.block(b, inner)) for kind, b in body_blocks]
        if not any(kept for _, _, kept in results) or (is_def and self.kept == kept_before):
            self._drop(node, first)
            return False
        self._keep(first, max(first, _start(node.body[0]) - 1))
        if not is_def and _header_candidate(node, self):
            self.found = True
            self.candidates += 1
        if is_def:
            self._compact_header(node)
        check_depth_header(node)
        for kind, b, kept in results[1:]:
            if kind == "handler" or kind == "final":
                self.keep[self._header_line(b)] = 1  # a try needs its except/finally
            elif kind == "elif":
                if not kept:
                    self._clear(b[0].lineno, b[0].end_lineno or b[0].lineno)
            elif kept:
                self.keep[self._header_line(b)] = 1
            else:
                self._clear(b[0].lineno, b[-1].end_lineno or b[-1].lineno)
        for h in getattr(node, "handlers", []):
            self._keep(h.lineno, max(h.lineno, _start(h.body[0]) - 1))
        return True

    def _simple(self, node: ast.stmt, first: int, last: int, context: str) -> bool:
        hit = self.matches(first, last)
        if hit and self.can_report(node, applied=True):
            self.found = True
            self.candidates += 1
            self._keep_comments_above(first)
            keep = True
        elif hit and _is_context(node, self.imports) and (context != _REMOTE or _fills(node, self.placeholders)):
            keep = True
        elif context in (_FUNCTION, _FORWARD):
            keep = True
        elif context == _MODULE:
            keep = not self._table(node)
        elif context == _CONSTRUCTOR:
            keep = isinstance(node, (ast.Assign, ast.AnnAssign))
        elif context == _CALLBACK:
            keep = isinstance(node, (ast.Assign, ast.AnnAssign)) and (
                all(_plain_names(t) for t in _targets(node)) or _assigns_self(node))
        elif context == _MEMBER:
            keep = _assigns_self(node)
        else:
            keep = self._binds_import_name(node)
        if not keep:
            self._drop(node, first)
            return False
        if self.starts[min(last, len(self.lines))] - self.starts[first - 1] > MAX_DEPTH:
            check_depth(node)  # every nesting level costs a character: a short statement is shallow
        self._keep(first, last)
        self.kept += 1
        return True

    def _function_context(self, node) -> str:
        """How much of a function holding a candidate the judge reads: all of it when its
        inits make or place layers (their outputs are followed), the bindings only when every
        init fills a tensor the function is handed (a per-module callback)."""
        kind = self.kinds.get(id(node))
        if kind is None:
            return _NONE
        return _FUNCTION if kind.full else _CALLBACK

    def _table(self, node: ast.stmt) -> bool:
        """A module-level table of five lines or more, which can neither hold nor consume a
        layer: a literal (``__all__``, a config dict), or a value that calls nothing able to
        make a layer or a model (timm's ``default_cfgs = generate_default_cfgs({...})``, a third
        of what libcst would read of timm). The judge follows the instances of the file's
        classes, never what its functions return."""
        value = getattr(node, "value", None)
        if not isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr)) or value is None or \
                (node.end_lineno or node.lineno) - node.lineno < 4:
            return False
        if isinstance(value, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Constant)):
            return True
        if self._classes is None:
            self._classes = frozenset(_CLASS.findall(self.text))
        makers = knowledge.module_makers()
        for sub in ast.walk(value):
            if isinstance(sub, ast.Call):
                name = _callee(sub)
                if name is None or name in makers or name in self._classes:
                    return False
            elif isinstance(sub, ast.Name) and sub.id in self._classes:
                return False  # a class of the file, handed on
            elif isinstance(sub, ast.Lambda):
                return False
        return True

    def _needed(self, node: ast.stmt) -> bool:
        """A top-level definition the regions would not blank (``regions.blank_unneeded``): it
        holds a candidate (or names a helper), or it is a class a script builds at top level.
        With the whole file's ast (flake8), the reducer drops the others just the same."""
        first, last = _span(node)
        return self.may_hold_candidate(first, last) or isinstance(node, ast.ClassDef) and (
            node.name in self.called_at_top() or self._a_base(node))

    def _atomic(self, node: ast.stmt) -> bool:
        """A compound statement with a block that starts on a header line (``def f(x): ...``,
        ``) -> T: ...`` after a long header, ``except E: pass``): kept or dropped whole, since
        no stub can stand for that block alone."""
        for _, block in _blocks(node):
            first = block[0]
            line = self.lines[first.lineno - 1].encode("utf-8")
            if line[: first.col_offset].strip():
                return True
        return False

    def _keep_comments_above(self, first: int, above: int = COMMENT_REACH) -> None:
        """Comment lines right above a candidate may say the zero is meant (``naming``)."""
        for line in range(max(1, first - above), first):
            if self.lines[line - 1].lstrip().startswith("#"):
                self.keep[line] = 1

    def _compact_header(self, node) -> None:
        """Replace a long ``def`` header (annotations, defaults) by its parameter names alone:
        the analyzer needs the names, and libcst's time grows with every token. Not when the
        body starts on the header's last line (``) -> T: ...``)."""
        body_line = _start(node.body[0])
        if body_line - node.lineno < 2 or self._atomic(node):
            return
        a = node.args
        params = [p.arg for p in (*a.posonlyargs, *a.args)]
        if a.vararg:
            params.append("*" + a.vararg.arg)
        elif a.kwonlyargs:
            params.append("*")
        params += [p.arg for p in a.kwonlyargs]
        if a.kwarg:
            params.append("**" + a.kwarg.arg)
        prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        self.keep[node.lineno] = 0
        self.replace[node.lineno] = self._indent(node.lineno) + f"{prefix} {node.name}({', '.join(params)}):"
        for line in range(node.lineno + 1, body_line):
            self.keep[line] = 0
            self.replace.pop(line, None)

    def _header_line(self, block: list) -> int:
        """The ``else:``/``finally:``/``except`` line that opens ``block``."""
        line = block[0].lineno - 1
        while line > 1 and not self.lines[line - 1].strip().startswith(("else", "finally", "except")):
            line -= 1
        return line

    def _clear(self, first: int, last: int) -> None:
        """Blank a dropped ``else``/``elif`` block entirely: an ``if`` needs no ``else``."""
        for line in range(first, last + 1):
            self.replace.pop(line, None)
            self.keep[line] = 0

    def _built_here(self, node: ast.stmt) -> bool:
        """A top-level class built at module level or holding a candidate's layer
        (``called_at_top``): the judge reads its wiring."""
        return isinstance(node, ast.ClassDef) and node.col_offset == 0 and node.name in self.called_at_top()

    def _class(self, node: ast.ClassDef, first: int) -> bool:
        last = node.end_lineno or node.lineno
        built_here = self._built_here(node)
        base = self._a_base(node)  # a class a candidate's class derives from
        if not self.matches(first, last) and not built_here and not base:
            self._drop(node, first)
            return False
        before, kept_before = self.candidates, self.kept
        if not self._holds_candidate(node) and not built_here:
            if base:  # the writes in its methods, and its header (the judge follows its bases)
                for member in node.body:
                    if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and not self._atomic(member):
                        self._member(member, _NONE)
                    else:
                        self.statement(member, _REMOTE)
            else:  # only the inits of placeholder Parameters (transformers' ``_init_weights`` in
                # another class): those, not the class's wiring
                self.block(node.body, _REMOTE)
            if self.kept == kept_before and not base:
                self._drop(node, first)
                return False
            self._keep_header(node, first)
            return True
        wiring = _wiring_methods(node, self.text, self.starts) if built_here or self._wired(node) else {
            m.name: _CONSTRUCTOR for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            and m.name in knowledge.constructor_methods()}
        for member in node.body:
            is_method = isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))
            if is_method and self._atomic(member):
                if member.name in wiring:  # kept whole: count what it holds
                    self._keep(*_span(member))
                    if self.matches(*_span(member)) and _reportable(member.body, self):
                        self.candidates += 1
                        self.found = True
                else:
                    self.statement(member, _NONE)
            elif is_method and member.name in wiring:
                self._keep(*_span_of_header(member))
                self._compact_header(member)
                if not self.block(member.body, context=wiring[member.name]):
                    self.replace[_start(member.body[0])] = self._indent(_start(member.body[0])) + "pass"
            elif is_method:
                self._member(member)
            else:  # class fields: what ``self.x`` means in a Flax module or a Keras layer
                self.statement(member, _CONSTRUCTOR)
        if self.candidates == before and not (built_here and self.kept > kept_before):
            self._drop(node, first)
            return False
        self._keep_header(node, first)
        return True

    def _keep_header(self, node: ast.ClassDef, first: int) -> None:
        """A class's header, up to its first member (one blanked before parsing may come first)."""
        body = _start(node.body[0])
        body = min(body, self.first_blanked.get(first, body))
        self._keep(first, max(first, body - 1))

    def _a_base(self, node: ast.stmt) -> bool:
        """A top-level class that a class holding a candidate derives from (``_bases``)."""
        return isinstance(node, ast.ClassDef) and node.col_offset == 0 and node.name in self._bases()

    def _bases(self) -> "frozenset[str]":
        """The file's top-level classes that a class holding a candidate derives from, at any
        depth (the judge reads a write in their methods as overwriting the subclass's)."""
        if self._base_names is None:
            classes = {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}
            found: set[str] = set()
            todo = [n for n in classes.values() if self._holds_candidate(n)]
            while todo:
                for base in todo.pop().bases:
                    name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else None
                    if name in classes and name not in found:
                        found.add(name)
                        todo.append(classes[name])
            self._base_names = frozenset(found)
        return self._base_names

    def _wired(self, node: ast.ClassDef) -> bool:
        """Whether the judge reads how this class wires its layers: an init of it concerns
        ``self`` (``self.fc``, a loop over ``self.modules()``), or its body holds one (a field)."""
        for member in node.body:
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                kind = self.kinds.get(id(member))
                if kind is not None and kind.concerns_self:
                    return True
            elif not isinstance(member, ast.ClassDef) and self.matches(*_span(member)) and \
                    self.can_report(member, applied=True):
                return True
        return False

    def _holds_candidate(self, node: ast.ClassDef) -> bool:
        for member in node.body:
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if member.name in self.reportable:
                    return True
            elif isinstance(member, ast.ClassDef):
                if self._holds_candidate(member):
                    return True
            elif self.matches(*_span(member)) and self.can_report(member, applied=True):
                return True
        return False

    def _member(self, member, plain: str = _MEMBER) -> None:
        """A method that neither builds nor wires the module: its candidates, its context
        statements and (``plain``: ``_MEMBER``) its ``self.x = ...`` assignments."""
        first, last = _span(member)
        if not self.matches(first, last) and not (plain == _MEMBER and _assigns_self_anywhere(member)):
            self._drop(member, first)
            return
        inner = self._function_context(member)
        inner = plain if inner == _NONE else inner
        kept_before = self.kept
        results = [self.block(b, inner) for _, b in _blocks(member)]
        if not any(results) or self.kept == kept_before:
            self._drop(member, first)
            return
        self._keep(*_span_of_header(member))
        self._compact_header(member)

    def _binds_import_name(self, node: ast.stmt) -> bool:
        """An assignment to a name an import also binds: it shadows the import."""
        if not self.import_names:
            return False
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        return any(isinstance(t, ast.Name) and t.id in self.import_names for t in targets)

    def render(self) -> Reduced:
        """Kept lines as they are, stubs in place of dropped statements, nothing else."""
        lines, replace, keep = self.lines, self.replace, self.keep
        out, numbers = [], []
        previous = None  # the stub just emitted, if any
        for i in sorted(set(itertools.compress(range(1, len(lines) + 1), keep[1:])).union(replace)):
            if keep[i]:
                out.append(lines[i - 1])
                previous = None
            else:
                stub = replace[i]
                if stub == previous and stub.endswith("pass"):
                    continue  # a run of dropped statements in one block needs one `pass`
                out.append(stub + line_ending(lines[i - 1]))
                previous = stub
            numbers.append(i)
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += "\n"
        return Reduced("".join(out), tuple(numbers))


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _blocks(node: ast.stmt) -> list:
    """The statement lists nested in a compound statement, in source order, with their kind:
    body, elif (an ``orelse`` that is a single ``elif``), orelse, handler, final."""
    if type(node) in _SIMPLE:
        return []
    if isinstance(node, ast.Match):
        return [("body", c.body) for c in node.cases]
    out = []
    body = getattr(node, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        out.append(("body", body))
    for h in getattr(node, "handlers", []):
        out.append(("handler", h.body))
    orelse = getattr(node, "orelse", None)
    if isinstance(orelse, list) and orelse:
        is_elif = isinstance(node, ast.If) and len(orelse) == 1 and isinstance(orelse[0], ast.If) \
            and orelse[0].col_offset == node.col_offset
        out.append(("elif" if is_elif else "orelse", orelse))
    final = getattr(node, "finalbody", None)
    if isinstance(final, list) and final:
        out.append(("final", final))
    return out


#: Statements that hold no statements: most of a file, so ``_blocks`` answers them first.
_SIMPLE = frozenset({
    ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Import, ast.ImportFrom, ast.Pass,
    ast.Raise, ast.Assert, ast.Delete, ast.Global, ast.Nonlocal, ast.Break, ast.Continue,
})


def _start(node: ast.stmt) -> int:
    """First line of a statement, decorators included: a header ends the line before it."""
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _span(node: ast.stmt) -> "tuple[int, int]":
    return _start(node), node.end_lineno or node.lineno


def _span_of_header(node) -> "tuple[int, int]":
    first = _start(node)
    return first, max(first, _start(node.body[0]) - 1)


def _assigns_self(node: ast.stmt) -> bool:
    """``self.x = ...``: what a layer attribute holds (the judge reads the last one)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" for t in targets)


def _assigns_self_anywhere(fn) -> bool:
    """Whether any statement of ``fn``'s body (at any depth) is a ``self.x = ...``."""
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and _assigns_self(node):
            return True
        for _, block in _blocks(node):
            stack.extend(block)
    return False


_CLASS = re.compile(r"\bclass[ \t]+(\w+)")


def _wiring_methods(cls: ast.ClassDef, text: str, starts: "list[int]") -> "dict[str, str]":
    """The members that say what a module's layers are (constructors) and how they are wired:
    the forward methods of every framework and, transitively, every method they call on
    ``self`` (``forward`` → ``self.forward_features(x)``), found in the method's text (a
    mention in a string or comment only keeps one method more)."""
    members = {m.name: m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
    out = {name: _CONSTRUCTOR for name in members if name in knowledge.constructor_methods()}
    todo = [name for name in members if name in knowledge.forward_methods()]
    while todo:
        name = todo.pop()
        if out.get(name) == _FORWARD:
            continue
        out[name] = _FORWARD
        first, last = _span(members[name])
        todo += [called for called in SELF_CALL.findall(text, starts[first - 1], starts[last])
                 if called in members and out.get(called) != _FORWARD]
    return out


def _callee(call: ast.Call) -> Optional[str]:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _applied_name(arg: ast.expr) -> Optional[str]:
    """``fn``, ``self._init_weights``, ``partial(fn, ...)``: the function handed to apply."""
    if isinstance(arg, ast.Call) and arg.args and _callee(arg) == "partial":
        arg = arg.args[0]
    if isinstance(arg, ast.Attribute):
        return arg.attr
    return arg.id if isinstance(arg, ast.Name) else None


_APPLY = knowledge.torch.APPLY_METHODS | knowledge.torch.APPLY_FUNCTIONS
_UPDATE = knowledge.flax.FUNCTIONAL_UPDATE
#: Factories handed on uncalled (``tree_map(jnp.zeros_like, params)``).
_UNCALLED = frozenset(name.rsplit(".", 1)[-1] for fw in knowledge.FRAMEWORKS for name in fw.factories
                      if name.endswith("_like"))


def _is_update(expr: ast.expr) -> bool:
    """``w.at[...].set(0.0)``."""
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == _UPDATE[1] and \
        isinstance(expr.func.value, ast.Subscript) and isinstance(expr.func.value.value, ast.Attribute) and \
        expr.func.value.value.attr == _UPDATE[0]
_COLLECTIVES = frozenset(name.rsplit(".", 1)[-1] for name in knowledge.torch.OVERWRITING_COLLECTIVES)


def _mentions_init(node: ast.stmt, helpers: "set[str]", reportable: "set[str]" = frozenset(),
                   imports: "Optional[dict[str, str]]" = None) -> bool:
    """Whether the statement holds something a producer makes an init event of. ``imports``
    (the module's, ``_module_imports``) tells an array factory call apart: a producer reads
    ``torch.zeros(...)`` only as a weight's value (an argument of a parameter maker, ``nn.Parameter``,
    ``tf.Variable``, ``nnx.Param``, or of a copy method, ``w.copy_(...)``; a lambda's body,
    an initializer written inline; ``w.data = ...``), not in ``torch.where(m, x,
    torch.zeros_like(x))`` or ``self.cache = torch.zeros(...)``."""
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "data" for t in node.targets):
        return True
    callees = knowledge.candidate_callees()
    keywords = knowledge.init_keywords()
    copies = knowledge.copy_methods()  # w.copy_(x) is an init when x is a constant array
    makers = knowledge.parameter_makers() | copies  # their arguments are read
    read: set[int] = set()  # where an array factory's value is a weight's (a walk meets a call before its arguments)
    called: set[int] = set()  # the callees met
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            called.add(id(sub.func))
            name = _callee(sub)
            if name in helpers:
                return True
            if name in makers:
                read.update(id(a) for a in sub.args)
                read.update(id(k.value) for k in sub.keywords)
            if name in callees and name not in copies and (
                    id(sub) in read or imports is None or not _array_factory(sub, imports)):
                return True
            if name in _APPLY and sub.args and _applied_name(sub.args[0]) in reportable:
                return True
            if any(k.arg in keywords for k in sub.keywords):
                return True
            if isinstance(sub.func, ast.Attribute) and isinstance(sub.func.value, ast.Attribute) \
                    and "initializer" in sub.func.value.attr:
                return True  # keras.initializers.get("zeros")
            if _is_update(sub):
                return True  # w.at[...].set(0.0)
        elif isinstance(sub, ast.Lambda):
            read.add(id(sub.body))
        elif isinstance(sub, ast.Name) and sub.id in helpers:
            return True  # a helper handed on: model.apply(_zero_init)
        elif isinstance(sub, ast.Attribute) and sub.attr in _UNCALLED and id(sub) not in called:
            return True  # tree_map(jnp.zeros_like, params)
        elif isinstance(sub, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value in keywords for k in sub.keys):
            return True  # kw = {"kernel_init": zeros}; nn.Dense(..., **kw)
    return False


def _can_report(node: ast.stmt, helpers: "set[str]", reportable: "set[str]", imports: "dict[str, str]") -> bool:
    """False for a statement that certainly initialises no weight: no init callee at all, an
    array bound to a local name, or an init whose target is a bias, norm scale, scalar,
    gradient or slice (``paths.may_be_weight``, the judge's own rule)."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return False  # a docstring that mentions zero_init
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.Name, ast.Attribute, ast.Constant)):
        return True  # init = Zeros; KERNEL_INIT = "zeros"; kernel_init: Callable = zeros
    if not _mentions_init(node, helpers, reportable, imports):
        return False  # (x = torch.zeros(n): an array; the producers make no event of a local one)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        func = call.func
        name = _callee(call)
        if name in knowledge.first_arg_targets() and call.args:
            return _may_be_weight(call.args[0])
        if name in knowledge.receiver_methods() and isinstance(func, ast.Attribute):
            return _may_be_weight(func.value)
        return True
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call):
        if _is_update(node.value):
            return True  # params["Dense_0"]["kernel"] = ...at[...].set(0.0): the leaf's name decides
        target = node.targets[0]
        if isinstance(target, ast.Subscript):
            # state_dict["head.bias"] = torch.zeros(...) cannot; a ParameterDict entry can
            # (self.boft_R[adapter] = nn.Parameter(torch.zeros(...)))
            return _makes_parameter(node.value)
        path = ast_path(target)
        if path is not None and path.last != "data" and not may_be_weight(path) and _makes_parameter(node.value):
            return False  # self.bias = nn.Parameter(torch.zeros(n)); not scale = nn.Dense(..., kernel_init=zeros)(x)
    return True


def _is_context(node: ast.stmt, imports: "dict[str, str]") -> bool:
    """A statement the judge reads although it cannot report: a random init (a constant
    before it was a dead store), a partial write or a bias init (``zeros_(fc.bias)``,
    ``w[:k, :k].copy_(eye)``), a callback handed to ``.apply``. An array factory alone
    (``torch.zeros(...)``) is none of these: where one is read, its maker or copy is named."""
    if not isinstance(node, (ast.Expr, ast.Assign)) or not isinstance(node.value, ast.Call):
        return False
    names = knowledge.random_inits() | knowledge.candidate_callees() | _APPLY | _COLLECTIVES
    return any(isinstance(sub, ast.Call) and _callee(sub) in names and not _array_factory(sub, imports)
               for sub in ast.walk(node.value))


def _array_factory(call: ast.Call, imports: "dict[str, str]") -> bool:
    """``torch.zeros(n)``, ``jnp.ones(...)``: a call, through the module's imports, to a
    factory of a constant array."""
    return _resolve(call.func, imports) in knowledge.array_factories()


def _may_be_weight(expr: ast.expr) -> bool:
    path = ast_path(expr)
    return path is None or may_be_weight(path)


def ast_path(expr: ast.expr) -> Optional[Path]:
    """The :class:`Path` of an ``ast`` attribute/subscript chain, as ``literals.path_of``
    builds it from libcst: ``.data``/``.detach()`` are the same tensor."""
    parts: list = []
    node = expr
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr not in SAME_STORAGE:
                parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in SAME_STORAGE and not node.args:
            node = node.func.value
        elif isinstance(node, ast.Subscript):
            parts.append(_ast_index(node.slice))
            node = node.value
        elif isinstance(node, ast.Name):
            return Path(node.id, tuple(reversed(parts)))
        else:
            return None


def _ast_index(index: ast.expr):
    if isinstance(index, ast.Constant) and isinstance(index.value, int) and not isinstance(index.value, bool):
        return index.value
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) and isinstance(index.operand, ast.Constant) \
            and isinstance(index.operand.value, int):
        return -index.operand.value
    if isinstance(index, (ast.Slice, ast.Tuple)):
        return SLICE_PART
    return ANY_INDEX


def _survey(tree: ast.Module, reducer: _Reducer, again: bool = False) -> set[str]:
    """One walk over the file's statements (not its expressions: walking every node would
    cost as much as parsing). Returns the plain functions of this file that zero what they
    are given (an init whose target is rooted at one of their parameters): calls to them
    are candidates too. Records in ``reducer.reportable`` every function or method holding
    a statement that may report (``model.apply(fn)`` is kept only for such an ``fn``), in
    ``reducer.import_names`` every name an import binds, and in ``reducer.any_candidate``
    whether anything may report at all. A definition without a marked line is passed over
    (unless it imports); ``again``, once the helpers are known, one that names none."""
    names = set()
    stack = [(node, False) for node in tree.body]
    while stack:
        node, in_class = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first, last = _span(node)
            if reducer.matches(first, last) and _reportable(node.body, reducer):
                reducer.reportable.add(node.name)
                reducer.any_candidate = True
                kind = reducer.kinds[id(node)] = _function_kind(node, reducer)
                if not in_class and kind.fills_parameter:
                    names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            reducer.import_names.update((a.asname or a.name).split(".")[0] for a in node.names)
            if isinstance(node, ast.ImportFrom):
                # from torch.nn.init import zeros_ as z: `z(...)` is an init call
                names.update(a.asname for a in node.names if a.asname and reducer.scanner.search(a.name))
            continue
        elif not _blocks(node):
            first, last = _span(node)
            if reducer.matches(first, last) and isinstance(node, ast.Assign) and _makes_parameter(node.value):
                reducer.placeholders.update(t.attr for t in node.targets if isinstance(t, ast.Attribute))
            if not reducer.any_candidate:
                reducer.any_candidate = reducer.matches(first, last) and reducer.can_report(node)
        elif not reducer.any_candidate and not in_class and _header_candidate(node, reducer):
            reducer.any_candidate = True
        if isinstance(node, _DEFS):
            first, last = _span(node)
            if again and not reducer.names_helper(first, last):
                continue  # what the first survey found of it stands
            if not reducer.matches(first, last) and reducer.text.find(
                    "import", reducer.starts[first - 1], reducer.starts[last]) < 0:
                continue  # nothing in it can report, nor bind a name
        for _, block in _blocks(node):
            stack.extend((child, isinstance(node, ast.ClassDef)) for child in block)
    return names


class _Kind(NamedTuple):
    """What the judge needs of a function holding a candidate."""

    full: bool  # it reads the whole body (a layer made or placed there is followed)
    concerns_self: bool  # an init fills ``self``'s tensors (the class's wiring matters)
    fills_parameter: bool  # an init fills what the function is handed: calls to it are candidates


def _function_kind(fn, reducer: _Reducer) -> _Kind:
    """An init whose target is rooted at one of the function's parameters (``m.weight``,
    ``p`` of ``for p in m.parameters()``) needs only the bindings around it; anything else (a
    layer made with a kernel keyword, a Parameter, a local layer) is followed through the
    body."""
    params = frozenset(a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs))
    full = concerns_self = fills_parameter = False
    aliases: Optional[set] = None  # ``proj = self.to_out[-1]``: local aliases of self's layers (found once, if asked)
    # each statement with the names rooted at a parameter and those rooted at self
    stack = [(node, params, _SELF) for node in fn.body]
    while stack:
        node, of_params, of_self = stack.pop()
        if isinstance(node, _DEFS):
            continue
        blocks = _blocks(node)
        if blocks and not isinstance(node, ast.Match) and not reducer._atomic(node):
            if isinstance(node, (ast.For, ast.AsyncFor)):
                root = _root(node.iter)
                if root in of_params or root in of_self:
                    bound = {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
                    of_params, of_self = (of_params | bound, of_self) if root in of_params else (of_params, of_self | bound)
            if _header_candidate(node, reducer):
                full = True
            stack.extend((child, of_params, of_self) for _, b in blocks for child in b)
            continue
        first, last = _span(node)
        if not (reducer.matches(first, last) and reducer.can_report(node)):
            continue
        root = _init_root(node)
        if root not in of_self and root not in of_params and root is not None:
            if aliases is None:
                aliases = {t.id for n in ast.walk(fn) if isinstance(n, ast.Assign) and _root(n.value) == "self"
                           for t in n.targets if isinstance(t, ast.Name)}
            if root in aliases:
                of_self = of_self | {root}
        if root in of_self:
            concerns_self = True
            if root == "self" and not isinstance(node, ast.Expr):
                full = True  # self.w = nn.Parameter(...): followed into the forward
        elif root in of_params:
            fills_parameter = True
        else:
            full = True
            # a method's local layer may be wired into self (self.seq = nn.Sequential(proj, ...)):
            # the class's forward says where it goes
            concerns_self = concerns_self or "self" in params
    return _Kind(full, concerns_self, fills_parameter)


_SELF = frozenset(("self",))


def _init_root(node: ast.stmt) -> Optional[str]:
    """The name an init statement fills: ``m`` for ``zeros_(m.weight)``/``m.weight.zero_()``,
    ``self`` for ``self.w = nn.Parameter(...)``; None for anything else."""
    if isinstance(node, (ast.Expr, ast.Return)) and isinstance(node.value, ast.Call):
        call = node.value
        name = _callee(call)
        if name in knowledge.first_arg_targets() and call.args:
            return _root(call.args[0])
        if name in knowledge.receiver_methods() and isinstance(call.func, ast.Attribute):
            return _root(call.func.value)
        return None
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = _targets(node)
        roots = {_root(t) for t in targets if t is not None}
        return "self" if roots == {"self"} else None
    return None


def _resolve(expr: ast.expr, imports: "dict[str, str]") -> Optional[str]:
    """``jnp.zeros`` -> ``jax.numpy.zeros`` through the file's module-level imports; None for
    anything else (a local, an attribute of a value)."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or expr.id not in imports:
        return None
    return ".".join((imports[expr.id], *reversed(parts)))


def _module_imports(body: list) -> "dict[str, str]":
    """Name -> dotted module or object, for the imports outside any function (under ``if``
    and ``try`` too); a name imported twice differently is left out."""
    out: dict = {}
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            pairs = [(a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            pairs = [(a.asname or a.name, f"{node.module}.{a.name}") for a in node.names]
        else:
            if not isinstance(node, _DEFS):
                stack.extend(child for _, block in _blocks(node) for child in block)
            continue
        for name, target in pairs:
            out[name] = target if out.get(name, target) == target else None
    return {k: v for k, v in out.items() if v is not None}


def _makes_parameter(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and _callee(expr) in knowledge.parameter_makers()


def _fills(node: ast.stmt, names: "set[str]") -> bool:
    """An init statement whose target is ``<anything>.<one of names>``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in names:
            return True
    return False


def _plain_names(target) -> bool:
    """``x`` or ``gamma, beta``: local names, not attributes or subscripts."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_plain_names(e) for e in target.elts)
    return isinstance(target, ast.Name)


def _targets(node: ast.stmt) -> list:
    return node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]


def _any_candidate(body: list, reducer: _Reducer) -> bool:
    """Whether a statement outside any function calls one of the file's helpers."""
    return _reportable([n for n in body if not isinstance(n, _DEFS)], reducer) or any(
        _any_candidate(n.body, reducer) for n in body if isinstance(n, ast.ClassDef))


def _reportable(body: list, reducer: _Reducer) -> bool:
    for node in body:
        if isinstance(node, _DEFS):
            continue
        blocks = _blocks(node)
        if blocks and not isinstance(node, ast.Match) and not reducer._atomic(node):
            if _header_candidate(node, reducer) or any(_reportable(b, reducer) for _, b in blocks):
                return True
            continue
        first, last = _span(node)
        if reducer.matches(first, last) and reducer.can_report(node):
            return True
    return False


def _reportable_lines(tree: ast.Module, reducer: _Reducer) -> bytearray:
    """Per line, 1 where a statement that may report lies (a compound statement's header, if
    it holds the init)."""
    marks = bytearray(len(reducer.lines) + 1)
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        first, last = _span(node)
        if not reducer.matches(first, last):
            continue
        blocks = _blocks(node)
        if blocks and not isinstance(node, ast.Match) and not reducer._atomic(node):
            stack.extend(child for _, b in blocks for child in b)
            if not _header_candidate(node, reducer):
                continue
            last = max(first, _start(node.body[0]) - 1)
        elif not reducer.can_report(node, applied=True):
            continue
        marks[first:last + 1] = b"\x01" * (last + 1 - first)
    return marks


def _header_candidate(node: ast.stmt, reducer: _Reducer) -> bool:
    """``with slim.arg_scope([...], weights_initializer=zeros):``: an init in a compound
    statement's header."""
    header = [item.context_expr for item in getattr(node, "items", ())]
    header += [getattr(node, f) for f in ("test", "iter") if isinstance(getattr(node, f, None), ast.expr)]
    if not header or not reducer.matches(node.lineno, max(node.lineno, _start(node.body[0]) - 1)):
        return False
    return any(_mentions_init(ast.Expr(h), reducer.helpers) for h in header)


def _root(expr) -> Optional[str]:
    while isinstance(expr, (ast.Attribute, ast.Subscript, ast.Call)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else None
