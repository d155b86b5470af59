"""Definitions found from the text alone, so that ``ast`` parses only what can matter.

A file's top-level statements begin at column 0, a class's members at the class body's
indentation. A ``def``/``class`` (with its decorators) whose lines hold no candidate word
cannot report, and the ast stage would only drop it: it is blanked before parsing, line
numbers intact (a blank line costs the parser ~60 ns, a line of code ~1 us), and the
reducer leaves the stub ``name = None`` it leaves for any dropped definition. Two levels
are blanked: top-level definitions, and the members of a top-level class that has a
candidate, except the methods the reducer keeps as context (``__init__``, ``forward``...).
Everything else is parsed as it is.

The text alone can be fooled by a triple-quoted string holding code-like lines. Blanking
never changes what is inside a string; a cut through a string's opening or closing line
leaves an odd number of triple quotes in a blanked region (then nothing is blanked) or an
unterminated string in what is parsed; a 'definition' that a parsed statement spans was
inside a string (``locate._parse`` then parses the whole file). A syntax error inside a
blanked definition is not reported, as in a file the prefilter skips: initlint reports the
syntax errors that stop it from reading an init.
"""

from __future__ import annotations

import re
from typing import Callable, Collection, NamedTuple, Optional

from initlint.static.textlines import line_ending

_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)[ \t]+(\w+)")
#: Text after a block's indentation that continues a statement rather than starts one.
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b|[)\]}#\s]")


class Skipped(NamedTuple):
    """A blanked definition: first line (decorators included), last line, name, the
    indentation of its stub, and the first line of its class (0 at top level)."""

    first: int
    last: int
    name: str
    indent: str = ""
    owner: int = 0


def blank_unneeded(
    lines: "list[str]", has_candidate: Callable[[int, int], bool], context_methods: Collection[str] = ()
) -> "Optional[tuple[str, list[Skipped]]]":
    """``lines`` with the definitions that have no candidate line blanked, and those
    definitions; None when nothing can be blanked safely."""
    skipped: list[Skipped] = []
    for d in _block(lines, 1, len(lines), ""):
        if not has_candidate(d.first, d.last):
            skipped.append(d)
        elif lines[d.first - 1 + _decorators(lines, d)].lstrip().startswith("class"):
            body = d.first + _decorators(lines, d) + 1
            members = _block(lines, body, d.last, _member_indent(lines, d), owner=d.first)
            skipped += [m for m in members if m.name not in context_methods and not has_candidate(m.first, m.last)]
    out = list(lines)
    kept = []
    for d in skipped:
        region = "".join(lines[d.first - 1 : d.last])
        if region.count('"""') % 2 or region.count("'''") % 2:
            return None  # a string may cross this region's edge: parse the whole file
        if "import" in region:
            continue  # the names it imports count for the whole file (locate._survey)
        kept.append(d)
        for i in range(d.first - 1, d.last):
            out[i] = line_ending(lines[i], missing="")
    if not kept:
        return None
    return "".join(out), kept


def _block(lines: "list[str]", start: int, end: int, indent: str, owner: int = 0) -> "list[Skipped]":
    """The definitions among the statements at ``indent`` in lines ``start..end``, each from
    its first decorator to the line before the next statement at that level."""
    found: list[Skipped] = []
    first: Optional[int] = None  # first line of the definition being read (its decorators)
    name: Optional[str] = None
    width = len(indent)
    continued = False  # the previous line ended with a backslash
    quote: Optional[str] = None  # the triple quote of a string still open after the previous line
    for number in range(start, end + 1):
        line = lines[number - 1]
        in_string = quote is not None
        if '"""' in line or "'''" in line:
            quote = _open_quote_after(line, quote)
        if in_string:
            continue  # a docstring line such as "class name says zero" starts nothing
        was_continued, continued = continued, line.rstrip("\r\n").endswith("\\")
        if not line.startswith(indent):
            text = line.lstrip()
            if text and not _CONTINUATION.match(text):  # dedented code: the block has ended
                break
            continue
        if was_continued or _CONTINUATION.match(line, width):
            continue
        if name is not None:  # the statement after a definition ends it
            found.append(Skipped(first, _last_code_line(lines, first, number - 1), name, indent, owner))
            first = name = None
        if line.startswith("@", width):
            if first is None:
                first = number
            continue
        m = _DEFINITION.match(line, width)
        if m:
            first = number if first is None else first
            name = m.group(1)
        else:
            first = None  # decorators of something else (a syntax error): leave it alone
    else:
        number = end + 1
    if name is not None:
        found.append(Skipped(first, _last_code_line(lines, first, number - 1), name, indent, owner))
    return found


def _open_quote_after(line: str, quote: Optional[str]) -> Optional[str]:
    """The triple quote still open at the end of ``line`` (escapes and quotes in comments are
    not read: a wrong guess costs the checks in ``locate._parse`` a whole parse, never a result)."""
    pos = 0
    while True:
        if quote is not None:
            end = line.find(quote, pos)
            if end < 0:
                return quote
            pos, quote = end + 3, None
        else:
            found = [(i, q) for q in ('"""', "'''") for i in (line.find(q, pos),) if i >= 0]
            if not found:
                return None
            i, quote = min(found)
            pos = i + 3


def _decorators(lines: "list[str]", d: Skipped) -> int:
    """How many lines come before the ``def``/``class`` line of ``d``."""
    for offset in range(d.last - d.first + 1):
        if _DEFINITION.match(lines[d.first - 1 + offset].lstrip()):
            return offset
    return 0


def _member_indent(lines: "list[str]", d: Skipped) -> str:
    """The indentation of a class's members: the least of its indented ``def``/``@`` lines
    (a docstring line indented less makes it wrong, and then nothing matches: safe)."""
    best: Optional[str] = None
    for line in lines[d.first : d.last]:
        stripped = line.lstrip(" \t")
        if stripped.startswith(("def ", "async ", "@", "class ")) and line[:1] in (" ", "\t"):
            indent = line[: len(line) - len(stripped)]
            if best is None or len(indent) < len(best):
                best = indent
    return best or "\0"  # no member definitions: an indentation no line has


def _last_code_line(lines: "list[str]", first: int, last: int) -> int:
    """Blank and comment lines after a definition belong to what follows (a comment above
    the next statement may explain it)."""
    while last > first and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
        last -= 1
    return last
