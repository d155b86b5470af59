"""Definitions found from the text alone, so that ``ast`` parses only what can matter.

A file's top-level statements begin at column 0, a class's members at the class body's
indentation. A ``def``/``class`` (with its decorators) whose lines hold no candidate word
cannot report, and the ast stage would only drop it: it is blanked before parsing, line
numbers intact (a blank line costs the parser ~60 ns, a line of code ~1 us), and the
reducer leaves the stub it leaves for any dropped definition. Two levels
are blanked: top-level definitions, and the members of a top-level class that has a
candidate, except the methods the reducer keeps (constructors and forwards, what the class
calls on ``self``, methods that assign ``self.x``).
Everything else is parsed as it is.

The text alone can be fooled by a triple-quoted string holding code-like lines. Blanking
never changes what is inside a string; a cut through a string's opening or closing line
leaves an odd number of triple quotes in a blanked region (then nothing is blanked) or an
unterminated string in what is parsed; a 'definition' that a parsed statement spans was
inside a string (``reduce._parse`` then parses the whole file). A syntax error inside a
blanked definition is not reported, as in a file the prefilter skips: initlint reports the
syntax errors that stop it from reading an init.
"""

from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache
from typing import Callable, Collection, Iterable, NamedTuple, Optional

from initlint.lint.gate.prefilter import names_pattern

_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)[ \t]+(\w+)")
#: Everything but line breaks: blanking turns it into one space (removing it could merge a
#: lone CR and the LF after it into one CRLF line break, and shift every line after).
_LINE_TEXT = re.compile(r"[^\r\n]+")
#: ``self.forward_features(x)``: a method the class calls on itself may wire its layers (also
#: ``(self).f (``, or split by a backslash). The reducer finds the forward's callees with it too.
SELF_CALL = re.compile(r"\bself\b[\s\\)]*\.[\s\\]*(\w+)[\s\\]*\(")
#: ``self.fc = ...``: what a layer attribute holds.
_SELF_ASSIGN = re.compile(r"self\s*\.\s*\w+\s*(?::[^=\n]*)?=(?!=)")
#: Clauses that continue a compound statement rather than start one.
_CLAUSE = re.compile(r"(?:else|elif|except|finally)\b")
#: An indented definition or decorator: the indentation of a class's members.
_MEMBER = re.compile(r"[\r\n]([ \t]+)(?:def[ \t]|async[ \t]|@|class[ \t])")


class Skipped(NamedTuple):
    """A definition: first line (decorators included), last line, name, the indentation
    of its stub, and the first line of its class (0 at top level)."""

    first: int
    last: int
    name: str
    indent: str = ""
    owner: int = 0
    name_line: int = 0  # the line of ``def``/``class`` itself


def blank_unneeded(
    text: str, starts: "list[int]", has_candidate: Callable[[int, int], bool], context_methods: Collection[str] = (),
    named: "frozenset[str]" = frozenset(), has_context: "Optional[Callable[[int, int], bool]]" = None,
) -> "Optional[tuple[str, list[Skipped]]]":
    """``text`` with the definitions that have no candidate line blanked, and those
    definitions; None when nothing can be blanked safely. ``starts``: the line offsets
    (``textlines.line_starts``); ``named``: classes kept for their wiring although they
    have no candidate (``named_by_candidates``); ``has_context``: whether a span holds a
    context word (a random init or a copy in another method of a candidate's class, or of a
    class it derives from, overwrites its constant: such a member is kept)."""
    skipped: list[Skipped] = []
    top = _block(text, starts, 1, len(starts) - 1, "")
    built: Optional[frozenset] = None
    bases: Optional[frozenset] = None  # the names in the headers of the classes with a candidate

    def is_class(d: Skipped) -> bool:
        return bool(d.name_line) and text.startswith("class", starts[d.name_line - 1])

    def members(d: Skipped) -> "list[Skipped]":
        """The members of class ``d`` that the reducer would drop."""
        indent = _member_indent(text, starts[d.name_line], starts[d.last])
        if not indent:
            return []
        called = set(SELF_CALL.findall(text, starts[d.first - 1], starts[d.last]))
        return [m for m in _block(text, starts, d.name_line + 1, d.last, indent, owner=d.first)
                if m.name not in context_methods and m.name not in called and not has_candidate(m.first, m.last)
                and not _SELF_ASSIGN.search(text, starts[m.first - 1], starts[m.last])
                and not (has_context is not None and has_context(m.first, m.last))]

    for d in top:
        if not has_candidate(d.first, d.last):
            if is_class(d):
                built = called_at_top(text, starts, ((t.first, t.last) for t in top)) | named if built is None else built
                if d.name in built:
                    continue  # a script's or notebook's model: the reducer keeps its wiring
                if bases is None:
                    bases = _bases(text, starts, [t for t in top if is_class(t)], has_candidate)
                if d.name in bases and has_context is not None:
                    skipped += members(d)  # a base whose methods may overwrite the subclass's constant
                    continue
            skipped.append(d)
        elif is_class(d):
            skipped += members(d)
    # a top-level function with a candidate may be an init helper (``def zero_module(m)``),
    # and a call to it a candidate: a definition naming one is not blanked
    functions = tuple(sorted({d.name for d in top if has_candidate(d.first, d.last) and not text.startswith(
        "class", starts[d.name_line - 1])}))
    names_helper = _lines_naming(text, starts, functions) if functions else None
    out, kept, done = [], [], 0
    for d in skipped:  # in text order, never overlapping
        region = text[starts[d.first - 1] : starts[d.last]]
        if region.count('"""') % 2 or region.count("'''") % 2:
            return None  # a string may cross this region's edge: parse the whole file
        if "import" in region:
            continue  # the names it imports count for the whole file (reduce._survey)
        if names_helper is not None and names_helper[d.last] - names_helper[d.first - 1]:
            continue
        kept.append(d)
        out += (text[done : starts[d.first - 1]], _LINE_TEXT.sub(" ", region))
        done = starts[d.last]
    if not kept:
        return None
    out.append(text[done:])
    return "".join(out), kept


_WORD = re.compile(r"\w+")


def _bases(text: str, starts: "list[int]", classes: "list[Skipped]", has_candidate: Callable[[int, int], bool]
           ) -> "frozenset[str]":
    """The names a class with a candidate derives from, at any depth through the file's
    classes: every word of their headers' bases (a keyword or a module name only keeps more)."""
    by_name = {d.name: d for d in classes}
    found: set[str] = set()
    todo = [d for d in classes if has_candidate(d.first, d.last)]
    while todo:
        d = todo.pop()
        end = text.find(":", starts[d.name_line - 1], starts[d.last])
        header = text[starts[d.name_line - 1]:end if end >= 0 else starts[d.name_line]]  # class X(nn.Module, Mixin)
        for word in _WORD.findall(header, len("class ") + len(d.name)):
            if word not in found:
                found.add(word)
                if word in by_name:
                    todo.append(by_name[word])
    return frozenset(found)


def _lines_naming(text: str, starts: "list[int]", names: "tuple[str, ...]") -> "list[int]":
    """Prefix counts of the lines where one of ``names`` occurs as a word."""
    marked = bytearray(len(starts))
    names_pattern(names).mark_lines(text, starts, marked)
    return list(itertools.accumulate(marked))


@lru_cache(maxsize=32)
def _line_starts(indent: str) -> "re.Pattern[str]":
    """A line break, then a statement at ``indent`` (not deeper, not a continuation). Only
    LF counts: in a file with lone-CR line breaks nothing is found, so nothing is blanked."""
    return re.compile(rf"\n{re.escape(indent)}(?=[^\s#)\]}}])")


_TRIPLE_QUOTES = (re.compile('"""'), re.compile("'''"))


def _block(text: str, starts: "list[int]", start: int, end: int, indent: str, owner: int = 0) -> "list[Skipped]":
    """The definitions among the statements at ``indent`` in lines ``start..end``, each from
    its first decorator to the line before the next statement at that level. Statement
    starts and triple quotes are found by literal searches (one combined regex is ~8x
    slower); only they come back to Python, in text order."""
    found: list[Skipped] = []
    first: Optional[int] = None  # first line of the definition being read (its decorators)
    name: Optional[str] = None
    name_line = 0
    quote: Optional[str] = None  # the triple quote of a string still open here
    width = len(indent)
    lo, hi = starts[start - 1], starts[end]
    events = [(m.end() - width, "") for m in _line_starts(indent).finditer(text, max(lo - 1, 0), hi)]
    if lo == 0 and _starts_statement(text, 0, width):
        events.append((0, ""))  # the file's first line has no line break before it
    events += [(m.start(), m.group()) for q in _TRIPLE_QUOTES for m in q.finditer(text, lo, hi)]
    events.sort()  # a line's start comes before a quote at its first character
    for offset, token in events:
        if token:
            quote = None if quote == token else quote or token
            continue
        if quote is not None or _continues(text, offset, width):
            continue  # inside a string (a docstring line such as "class name says zero")
        number = bisect.bisect_right(starts, offset)
        if name is not None:  # the statement after a definition ends it
            found.append(Skipped(first, _last_code_line(text, starts, first, number - 1), name, indent, owner, name_line))
            first = name = None
        if text.startswith("@", offset + width):
            if first is None:
                first = number
            continue
        d = _DEFINITION.match(text, offset + width)
        if d:
            first = number if first is None else first
            name, name_line = d.group(1), number
        else:
            first = None  # decorators of something else (a syntax error): leave it alone
    if name is not None:
        found.append(Skipped(first, _last_code_line(text, starts, first, end), name, indent, owner, name_line))
    return found


_CALLED = re.compile(r"\b(\w++)\s*+\(")  # possessive: no backtracking through a word
#: The first line of a module-level statement (not indented, not a comment or decorator, not
#: the closing bracket of a long one).
_TOP_LINE = re.compile(r"^[^ \t\r\n#@)\]}][^\r\n]*", re.M)


def called_at_top(text: str, starts: "list[int]", definitions: "Iterable[tuple[int, int]]") -> "frozenset[str]":
    """Names called on the first line of a module-level statement (``model = MLP(...)``,
    ``MLP().apply(init)``): a script's or notebook's model, whose wiring the judge reads. A
    config table's continuation lines (``cfgs = dict(\\n a=Cfg(...),``) do not count.
    ``definitions``: the (first, last) lines of the top-level definitions, in order. The
    regions and the reducer both ask this, of the text's definitions and of the ast's."""
    names: set[str] = set()
    done = 0
    for first, last in (*definitions, (len(starts), len(starts))):
        for line in _TOP_LINE.findall(text, done, starts[first - 1]):
            names.update(_CALLED.findall(line))
        done = starts[last] if last < len(starts) else len(text)
    return frozenset(names)


_ISINSTANCE = re.compile(r"isinstance\s*\(\s*\w+\s*,\s*(\w+)\s*\)")
_HASATTR = re.compile(r"hasattr\s*\(\s*\w+\s*,\s*[\"'](\w+)[\"']\s*\)")
_TOP_CLASS = re.compile(r"^class[ \t]+(\w+)", re.M)
_INNER_ATTR = re.compile(r"\.\s*(\w+)\s*\.")  # ``self.final_layer.linear.weight``: final_layer, linear
_GUARD_REACH = 3  # lines above a candidate where an ``isinstance`` test may select its module


def named_by_candidates(text: str, starts: "list[int]", marked: bytearray) -> "frozenset[str]":
    """Classes whose wiring a candidate's layer lives in, by name: ``Block`` in
    ``if isinstance(module, Block):`` just above ``init.zeros_(module.proj.weight)``, and
    ``FinalLayer`` for ``self.final_layer.linear.weight`` where ``self.final_layer =
    FinalLayer(...)``, the classes that set ``self.conv1d`` for ``hasattr(m, "conv1d")``. The judge reads their forward; the regions and the reducer keep it.
    ``marked``: per line, bit 1 for a candidate word."""
    names: set[str] = set()
    attrs: set[str] = set()
    owners: set[str] = set()
    for n, mark in enumerate(marked[:len(starts)]):
        if mark & 1 and n:
            guards = starts[max(n - 1 - _GUARD_REACH, 0)], starts[n]
            names.update(_ISINSTANCE.findall(text, *guards))
            owners.update(_HASATTR.findall(text, *guards))
            attrs.update(_INNER_ATTR.findall(text, starts[n - 1], starts[n]))
    if attrs:
        built = re.compile(r"self\s*\.\s*(?:%s)\s*=\s*(\w+)\s*\(" % "|".join(map(re.escape, sorted(attrs))))
        names.update(built.findall(text))
    if owners:  # hasattr(m, "conv1d"): the classes that set self.conv1d
        held = re.compile(r"self\s*\.\s*(?:%s)\s*(?::[^=\n]*)?=(?!=)" % "|".join(map(re.escape, sorted(owners))))
        classes = [(m.start(), m.group(1)) for m in _TOP_CLASS.finditer(text)]
        at = [c[0] for c in classes]
        for m in held.finditer(text):
            i = bisect.bisect_right(at, m.start()) - 1
            if i >= 0:
                names.add(classes[i][1])
    return frozenset(names)


def _starts_statement(text: str, offset: int, width: int) -> bool:
    """The line at ``offset`` has code at ``width`` (not deeper, not a continuation)."""
    return text[offset + width : offset + width + 1] not in ("", " ", "\t", "\f", "\r", "\n", "#", ")", "]", "}")


def _continues(text: str, offset: int, width: int) -> bool:
    """A line that continues the statement before it: after a backslash, or an
    ``else``/``elif``/``except``/``finally`` clause."""
    before = text[max(0, offset - 3) : offset].rstrip("\r\n")
    return before.endswith("\\") or _CLAUSE.match(text, offset + width) is not None


def _member_indent(text: str, lo: int, hi: int) -> str:
    """The indentation of a class's members: the least of its indented ``def``/``@`` lines
    (a docstring line indented less makes it wrong, and then nothing matches: safe)."""
    indents = _MEMBER.findall(text, max(lo - 1, 0), hi)
    return min(indents, key=len) if indents else ""


def _last_code_line(text: str, starts: "list[int]", first: int, last: int) -> int:
    """Blank and comment lines after a definition belong to what follows (a comment above
    the next statement may explain it)."""
    while last > first:
        line = text[starts[last - 1] : starts[last]].strip()
        if line and not line.startswith("#"):
            break
        last -= 1
    return last


