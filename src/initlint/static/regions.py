"""Top-level definitions found from the text alone, so that ``ast`` parses only what can matter.

A file's top-level statements begin at column 0. A ``def``/``class`` (with its decorators)
whose lines hold no candidate word cannot report, and the ast stage would only drop it: it
is blanked before parsing, line numbers intact (a blank line costs the parser ~60 ns, a line
of code ~1 us), and the reducer stubs it as ``name = None`` as it does for a dropped
definition. Everything else (imports, module-level code, definitions with candidates) is
parsed as it is.

The text alone can be fooled by a triple-quoted string holding code at column 0. Blanking
never changes what is inside a string; a cut through a string's opening or closing line
leaves an odd number of triple quotes in a blanked region (then nothing is blanked) or an
unterminated string in what is parsed (then the whole file is parsed: ``locate._parse``).
A syntax error inside a blanked definition is therefore not reported, as in a file the
prefilter skips: initlint reports the syntax errors that stop it from reading an init.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple, Optional

from initlint.static.textlines import line_ending

_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)[ \t]+(\w+)")
#: Column-0 lines that continue a statement rather than start one.
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b|[)\]}#\s]")


class Skipped(NamedTuple):
    """A blanked top-level definition: its first line (decorators included), last line, name."""

    first: int
    last: int
    name: str


def blank_unneeded(lines: "list[str]", has_candidate: Callable[[int, int], bool]) -> "Optional[tuple[str, list[Skipped]]]":
    """``lines`` with every top-level definition that has no candidate line blanked, and
    the definitions blanked; None when nothing can be blanked safely."""
    skipped = []
    out = list(lines)
    for d in _definitions(lines):
        if has_candidate(d.first, d.last):
            continue
        region = "".join(lines[d.first - 1 : d.last])
        if region.count('"""') % 2 or region.count("'''") % 2:
            return None  # a string may cross this region's edge: parse the whole file
        if "import" in region:
            continue  # the names it imports count for the whole file (locate._survey)
        skipped.append(d)
        for i in range(d.first - 1, d.last):
            out[i] = line_ending(lines[i], missing="")
    if not skipped:
        return None
    return "".join(out), skipped


def _definitions(lines: "list[str]") -> "list[Skipped]":
    """Every top-level def/class with its decorators, from its first line to the line
    before the next top-level statement."""
    found: list[Skipped] = []
    first: Optional[int] = None  # first line of the definition being read (its decorators)
    name: Optional[str] = None
    for number, line in enumerate(lines, start=1):
        if not line or _CONTINUATION.match(line):
            continue
        if name is not None:  # the statement after a definition ends it
            found.append(Skipped(first, _last_code_line(lines, first, number - 1), name))
            first = name = None
        if line.startswith("@"):
            if first is None:
                first = number
            continue
        m = _DEFINITION.match(line)
        if m:
            first = number if first is None else first
            name = m.group(1)
        else:
            first = None  # decorators of something else (a syntax error): leave it alone
    if name is not None:
        found.append(Skipped(first, len(lines), name))
    return found


def _last_code_line(lines: "list[str]", first: int, last: int) -> int:
    """Blank and comment lines after a definition belong to what follows (a comment above
    the next statement may explain it)."""
    while last > first and (not lines[last - 1].strip() or lines[last - 1].startswith("#")):
        last -= 1
    return last
